package dev.canopy.jobs.cli;

import dev.canopy.executor.engine.GenerationRequest;
import dev.canopy.executor.sample.SamplingParams;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Synthetic benchmark workloads of random token ids from a fixed seed. Outputs ignore EOS so every
 * request generates exactly its output length. Requests are shuffled, so any prefix sharing the
 * engine finds comes from the prompts, not from the input order.
 */
final class Workload {

    /** An inclusive range of lengths, written {@code A:B} (or {@code A}). */
    record Range(int min, int max) {
        static Range parse(String flag, String text) {
            String[] parts = text.split(":");
            try {
                int a = Integer.parseInt(parts[0].trim());
                int b = parts.length > 1 ? Integer.parseInt(parts[1].trim()) : a;
                if (parts.length > 2 || a < 1 || b < a) {
                    throw new NumberFormatException();
                }
                return new Range(a, b);
            } catch (NumberFormatException e) {
                throw new UsageException("canopy bench: --" + flag + " expects N or A:B with 1 <= A <= B, got '" + text + "'");
            }
        }

        int draw(SplittableRandom rnd) {
            return min == max ? min : min + rnd.nextInt(max - min + 1);
        }
    }

    private Workload() {}

    /** {@code groups} groups of {@code perGroup} prompts; a group shares a {@code prefixLen}-token prefix. */
    static List<GenerationRequest> sharedPrefix(int vocab, int groups, int perGroup, int prefixLen, int suffixLen,
                                                int outputLen, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<GenerationRequest> reqs = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            int[] prefix = randomTokens(rnd, vocab, prefixLen);
            for (int i = 0; i < perGroup; i++) {
                int[] prompt = new int[prefixLen + suffixLen];
                System.arraycopy(prefix, 0, prompt, 0, prefixLen);
                System.arraycopy(randomTokens(rnd, vocab, suffixLen), 0, prompt, prefixLen, suffixLen);
                reqs.add(GenerationRequest.ofTokens("g" + g + "-" + i, prompt, params(outputLen)));
            }
        }
        Collections.shuffle(reqs, new java.util.Random(seed));
        return reqs;
    }

    /** {@code n} unrelated prompts with lengths drawn from the ranges. */
    static List<GenerationRequest> random(int vocab, int n, Range promptLen, Range outputLen, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<GenerationRequest> reqs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            reqs.add(GenerationRequest.ofTokens("r" + i, randomTokens(rnd, vocab, promptLen.draw(rnd)),
                    params(outputLen.draw(rnd))));
        }
        return reqs;
    }

    /**
     * {@code n} unrelated prompts of {@code promptLen} tokens, each generating {@code outputLen} tokens: the KV grows
     * during decode until it no longer fits, the case KV offload is for.
     */
    static List<GenerationRequest> longOutput(int vocab, int n, int promptLen, int outputLen, long seed) {
        return random(vocab, n, new Range(promptLen, promptLen), new Range(outputLen, outputLen), seed).stream()
                .map(r -> GenerationRequest.ofTokens("long-" + r.id(), r.promptTokens(), r.params())).toList();
    }

    /**
     * A mix of compute-heavy requests (long prompts in shared-prefix groups, short outputs) and
     * memory-heavy ones (short prompts, long outputs), interleaved at random.
     */
    static List<GenerationRequest> mixed(int vocab, int groups, int perGroup, int prefixLen, int suffixLen,
                                         int shortOutput, int decodeHeavy, Range decodePrompt, int longOutput, long seed) {
        List<GenerationRequest> reqs = new ArrayList<>(sharedPrefix(vocab, groups, perGroup, prefixLen, suffixLen,
                shortOutput, seed));
        reqs.addAll(random(vocab, decodeHeavy, decodePrompt, new Range(longOutput, longOutput), seed + 1).stream()
                .map(r -> GenerationRequest.ofTokens("d-" + r.id(), r.promptTokens(), r.params())).toList());
        Collections.shuffle(reqs, new java.util.Random(seed + 2));
        return reqs;
    }

    private static SamplingParams params(int outputLen) {
        return SamplingParams.builder().temperature(0).maxTokens(outputLen).ignoreEos(true).build();
    }

    /** Token ids in [3, vocab): avoids the special ids 0..2 of SentencePiece vocabularies. */
    private static int[] randomTokens(SplittableRandom rnd, int vocab, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = 3 + rnd.nextInt(Math.max(1, vocab - 3));
        }
        return t;
    }
}
