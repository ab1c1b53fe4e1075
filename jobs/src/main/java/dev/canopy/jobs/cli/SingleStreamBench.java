package dev.canopy.jobs.cli;

import dev.canopy.executor.model.Backend;
import dev.canopy.executor.model.ExpertWeights;
import dev.canopy.executor.model.ForwardBatch;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.model.ModelWeights;
import dev.canopy.executor.model.LayerWeights;
import dev.canopy.executor.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Single-stream prefill and decode speed: one prompt of {@code promptLen} random tokens prefilled
 * in one step, then {@code genLen} greedy decode steps, after warm-up passes (prefill {@code warmup} times, decode
 * for at least two seconds) so the measured steps run compiled code. Reports tokens/s and the weight bandwidth
 * decode achieves (bytes of weights read per token × tokens/s).
 */
final class SingleStreamBench {

    /** Least time spent on decode warm-up steps (when warm-up is on). */
    private static final long DECODE_WARMUP_NANOS = 2_000_000_000L;

    private SingleStreamBench() {}

    static Map<String, Object> run(Model model, Backend backend, int promptLen, int genLen, int warmup) {
        int vocab = model.config().vocab();
        SplittableRandom rnd = new SplittableRandom(42);
        int[] prompt = new int[promptLen];
        for (int i = 0; i < promptLen; i++) {
            prompt[i] = 3 + rnd.nextInt(Math.max(1, vocab - 3));
        }
        int bs = backend.blockSize();
        int blocksNeeded = (promptLen + genLen + warmup + bs - 1) / bs;
        if (blocksNeeded > backend.numBlocks()) {
            throw new IllegalArgumentException("Cannot run bench: " + (promptLen + genLen) + " tokens need "
                    + blocksNeeded + " KV blocks, the backend has " + backend.numBlocks());
        }
        int[] table = new int[blocksNeeded];
        for (int i = 0; i < table.length; i++) {
            table[i] = i;
        }
        // Warm-up: JIT and caches, on the same shapes.
        for (int w = 0; w < warmup; w++) {
            backend.forward(ForwardBatch.ofSequence(prompt, 0, table));
        }
        long t0 = System.nanoTime();
        float[] logits = backend.forward(ForwardBatch.ofSequence(prompt, 0, table));
        long prefillNs = System.nanoTime() - t0;

        int token = argmax(logits, 0, vocab);
        // Decode warm-up until the JIT has compiled the decode path (at least DECODE_WARMUP_NANOS):
        // otherwise its compiler threads take CPU from the measured steps of a short run.
        long warmStart = System.nanoTime();
        int warmSteps = 0;
        while (warmup > 0 && (warmSteps < warmup || System.nanoTime() - warmStart < DECODE_WARMUP_NANOS)) {
            backend.forward(ForwardBatch.ofSequence(new int[] {token}, promptLen + warmSteps % genLen, table));
            warmSteps++;
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < genLen; i++) {
            logits = backend.forward(ForwardBatch.ofSequence(new int[] {token}, promptLen + i, table));
            token = argmax(logits, 0, vocab);
        }
        long decodeNs = System.nanoTime() - t1;

        double prefillTps = promptLen / (prefillNs / 1e9);
        double decodeTps = genLen / (decodeNs / 1e9);
        long bytesPerToken = weightBytesPerToken(model);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", model.path().toString());
        r.put("backend", backend.name());
        r.put("prompt_len", promptLen);
        r.put("gen_len", genLen);
        r.put("prefill_tokens_per_s", round(prefillTps));
        r.put("decode_tokens_per_s", round(decodeTps));
        r.put("decode_warmup_steps", warmSteps);
        r.put("weight_bytes_per_token", bytesPerToken);
        r.put("decode_bandwidth_gb_per_s", round(bytesPerToken * decodeTps / 1e9));
        return r;
    }

    /**
     * Bytes of weights one decode step reads: every matrix once (of a mixture of experts, the router and the
     * {@code used} experts a token goes to), one embedding row, the norms.
     */
    static long weightBytesPerToken(Model model) {
        ModelWeights w = model.weights();
        long bytes = w.tokenEmbedding().rowBytes() + w.output().data().byteSize() + w.outputNorm().length * 4L;
        int used = model.config().features().moe().map(m -> m.used()).orElse(0);
        for (LayerWeights l : w.layers()) {
            for (Tensor t : new Tensor[] {l.wq(), l.wk(), l.wv(), l.wo()}) {
                bytes += t.data().byteSize();
            }
            if (l.extras().experts().isPresent()) { // the router and the token's experts
                ExpertWeights e = l.extras().experts().get();
                bytes += e.router().data().byteSize() + used * (e.gate().getFirst().data().byteSize()
                        + e.up().getFirst().data().byteSize() + e.down().getFirst().data().byteSize());
            } else {
                bytes += l.gate().data().byteSize() + l.up().data().byteSize() + l.down().data().byteSize();
            }
            bytes += (l.attnNorm().length + l.ffnNorm().length) * 4L;
        }
        return bytes;
    }

    static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[off + i] > x[off + best]) {
                best = i;
            }
        }
        return best;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
