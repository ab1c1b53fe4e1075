package dev.canopy.executor.engine;

import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.model.Backend;
import dev.canopy.executor.model.CpuBackend;
import dev.canopy.executor.model.ForwardBatch;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.tensor.KernelChoice;

/**
 * Perplexity of a model on a text: {@code exp(mean negative log-likelihood)} of its tokens.
 *
 * <p>The text's tokens are cut into consecutive windows of {@code context} tokens. Each window is
 * evaluated on its own, as BOS followed by all its tokens but the last (so {@code context} positions):
 * the first token of a window is predicted from BOS alone, every later one from BOS and the window's
 * tokens before it. Every token of the text
 * is predicted exactly once. (llama.cpp's {@code llama-perplexity} instead overlays BOS on the
 * window's first token and scores only the second half of each window, so its numbers are somewhat
 * lower on the same text; ours use every token, which suits short test texts.)
 *
 * <p>A window is run through the backend in steps of at most {@value #STEP_ROWS} rows, with the logits
 * of every row.
 */
public final class Perplexity {

    /** Most token rows in one forward step. */
    static final int STEP_ROWS = 256;
    private static final int BLOCK_SIZE = 16;

    /**
     * The result.
     *
     * @param perplexity exp(meanNll)
     * @param meanNll mean negative log-likelihood per predicted token, in nats
     * @param tokens tokens predicted (the text's tokens)
     * @param windows windows evaluated
     */
    public record Result(double perplexity, double meanNll, int tokens, int windows) {}

    private Perplexity() {}

    /**
     * Tokenizes {@code text} with the model's tokenizer and evaluates it on a fresh CPU backend.
     *
     * @param context window length in tokens, BOS included; at least 2 and at most the model's context length
     * @throws IllegalArgumentException if the context is out of range or the text has no tokens
     */
    public static Result evaluate(Model model, String text, int context, int threads, KernelChoice kernels) {
        return evaluate(model, text, context, threads, kernels, KvCacheType.F32);
    }

    /**
     * Like {@link #evaluate(Model, String, int, int, KernelChoice)}, with the KV cache stored as {@code kvType}.
     *
     * @throws IllegalArgumentException if the context is out of range or the text has no tokens
     */
    public static Result evaluate(Model model, String text, int context, int threads, KernelChoice kernels,
                                  KvCacheType kvType) {
        int max = model.config().contextLength();
        if (context < 2 || context > max) {
            throw new IllegalArgumentException("Cannot evaluate perplexity: context " + context
                    + " must be in [2, " + max + "] (the model's context length)");
        }
        int[] tokens = model.tokenizer().encode(text, false, false);
        int blocks = (context + BLOCK_SIZE - 1) / BLOCK_SIZE;
        try (CpuBackend backend = new CpuBackend(model, threads, kernels, blocks, BLOCK_SIZE, kvType)) {
            return evaluate(backend, tokens, model.tokenizer().bosId(), context, model.config().vocab());
        }
    }

    /**
     * Evaluates {@code tokens} (without BOS) on {@code backend}, whose KV cache must hold {@code context}
     * positions in its first blocks.
     *
     * @throws IllegalArgumentException if there are no tokens or the backend's cache is too small
     */
    public static Result evaluate(Backend backend, int[] tokens, int bos, int context, int vocab) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("Cannot evaluate perplexity: the text has no tokens");
        }
        int blocks = (context + backend.blockSize() - 1) / backend.blockSize();
        if (blocks > backend.numBlocks()) {
            throw new IllegalArgumentException("Cannot evaluate perplexity: a window of " + context + " tokens needs "
                    + blocks + " KV blocks, the backend has " + backend.numBlocks());
        }
        int[] blockTable = new int[blocks];
        for (int i = 0; i < blocks; i++) {
            blockTable[i] = i;
        }
        double nll = 0;
        int windows = 0;
        for (int start = 0; start < tokens.length; start += context) {
            int n = Math.min(context, tokens.length - start);
            int[] input = new int[n]; // (n) BOS then the window's tokens but its last
            input[0] = bos;
            System.arraycopy(tokens, start, input, 1, n - 1);
            nll += windowNll(backend, input, tokens, start, blockTable, vocab);
            windows++;
        }
        double mean = nll / tokens.length;
        return new Result(Math.exp(mean), mean, tokens.length, windows);
    }

    /** Sum of −log p(tokens[start + i] | input[0..i]) over the window. */
    private static double windowNll(Backend backend, int[] input, int[] tokens, int start, int[] blockTable, int vocab) {
        double nll = 0;
        for (int from = 0; from < input.length; from += STEP_ROWS) {
            int rows = Math.min(STEP_ROWS, input.length - from);
            int[] stepTokens = java.util.Arrays.copyOfRange(input, from, from + rows);
            int[] positions = new int[rows];
            int[] logitRows = new int[rows];
            for (int i = 0; i < rows; i++) {
                positions[i] = from + i;
                logitRows[i] = i;
            }
            float[] logits = backend.forward(new ForwardBatch(stepTokens, positions, new int[rows],
                    new int[][] {blockTable}, logitRows)); // (rows, vocab)
            for (int i = 0; i < rows; i++) {
                nll -= logProbability(logits, i * vocab, vocab, tokens[start + from + i]);
            }
        }
        return nll;
    }

    /** log softmax(logits[at .. at + vocab))[target], in double. */
    static double logProbability(float[] logits, int at, int vocab, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, logits[at + v]);
        }
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            sum += Math.exp(logits[at + v] - max);
        }
        return logits[at + target] - max - Math.log(sum);
    }
}
