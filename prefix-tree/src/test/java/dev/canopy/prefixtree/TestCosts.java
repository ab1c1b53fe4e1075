package dev.canopy.prefixtree;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** A tiny model on a made-up machine, sized so hand-computed costs stay small, plus request builders. */
final class TestCosts {

    /** 2 layers, hidden 8, 2 heads (1 KV head) of 4, FFN 16, vocab 10: 32 KV bytes a token. */
    static final ModelShape TINY = new ModelShape(2, 8, 2, 1, 4, 16, 10, 2.0, 2.0);

    private TestCosts() {
    }

    /** 1000 FLOP/s, 100 B/s, 0.5 s a step, a KV budget of {@code kvTokens} tokens. */
    static CostModel tiny(long kvTokens) {
        return new CostModel(TINY, new HardwareProfile("tiny", 1000, 100, kvTokens * 32, 0.5));
    }

    static EngineLimits limits(int maxSequences, int maxTokensPerStep, int blockTokens) {
        return new EngineLimits(maxSequences, maxTokensPerStep, blockTokens, PrefillPacing.FILL_BUDGET);
    }

    /** Tokens {@code start, start+1, ...}: prompts built from distinct ranges share nothing. */
    static int[] run(int start, int length) {
        int[] tokens = new int[length];
        for (int i = 0; i < length; i++) {
            tokens[i] = start + i;
        }
        return tokens;
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A request with a known output length. */
    static Request request(int id, int[] tokens, int output) {
        return Request.withExpectedOutput(id, tokens, 4096, output);
    }

    /** Random requests over a few shared prefixes (some nested), random suffixes and outputs. */
    static List<Request> randomWorkload(SplittableRandom random, int n) {
        int[][] prefixes = new int[1 + random.nextInt(6)][];
        for (int p = 0; p < prefixes.length; p++) {
            int[] own = run(1000 * (p + 1), 1 + random.nextInt(60));
            prefixes[p] = p > 0 && random.nextBoolean() ? concat(prefixes[random.nextInt(p)], own) : own;
        }
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] suffix = new int[random.nextInt(40)];
            for (int k = 0; k < suffix.length; k++) {
                suffix[k] = 1 + random.nextInt(5); // tiny alphabet: duplicates and prompts that prefix others
            }
            int[] prompt = random.nextInt(5) == 0 ? suffix : concat(prefixes[random.nextInt(prefixes.length)], suffix);
            if (prompt.length == 0) {
                prompt = new int[] {7};
            }
            requests.add(request(i, prompt, 1 + random.nextInt(random.nextBoolean() ? 8 : 80)));
        }
        return requests;
    }

    static int[] outputs(List<Request> requests) {
        return BatchPlanner.defaultOutputEstimates(requests);
    }
}
