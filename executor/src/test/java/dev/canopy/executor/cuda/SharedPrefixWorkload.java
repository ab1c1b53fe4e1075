package dev.canopy.executor.cuda;

import dev.canopy.executor.engine.GenerationRequest;
import dev.canopy.executor.sample.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A W1-shaped batch: {@code groups} groups of {@code prompts} requests; the requests of a group share a
 * {@code prefix}-token prompt prefix and each adds its own {@code suffix} tokens; every request
 * generates exactly {@code output} tokens greedily (end-of-sequence ignored), so runs are comparable.
 * Token ids are pseudo-random in {@code [3, vocab)}, fixed by the seed.
 *
 * @param groups  prompt groups
 * @param prompts requests per group
 * @param prefix  shared prompt tokens per group
 * @param suffix  own prompt tokens per request
 * @param output  generated tokens per request
 */
record SharedPrefixWorkload(int groups, int prompts, int prefix, int suffix, int output) {

    SharedPrefixWorkload {
        if (groups < 1 || prompts < 1 || prefix < 0 || suffix < 1 || output < 1) {
            throw new IllegalArgumentException("Cannot build a shared-prefix workload: groups, prompts, suffix and "
                    + "output must be positive and prefix not negative, got " + describe(groups, prompts, prefix,
                    suffix, output));
        }
    }

    /** The W1 shape: 8 groups of 32 prompts, 512-token prefixes, 32-token suffixes, 128 output tokens. */
    static SharedPrefixWorkload w1() {
        return new SharedPrefixWorkload(8, 32, 512, 32, 128);
    }

    int requests() {
        return groups * prompts;
    }

    /** Tokens a request's sequence reaches. */
    int sequenceLength() {
        return prefix + suffix + output;
    }

    /** The requests, group after group; ids {@code g<group>-p<prompt>}. */
    List<GenerationRequest> requests(int vocab, long seed) {
        Random random = new Random(seed);
        SamplingParams greedy = SamplingParams.builder().temperature(0).maxTokens(output).ignoreEos(true).build();
        List<GenerationRequest> out = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            int[] shared = tokens(random, prefix, vocab);
            for (int p = 0; p < prompts; p++) {
                int[] prompt = new int[prefix + suffix]; // (prefix + suffix)
                System.arraycopy(shared, 0, prompt, 0, prefix);
                System.arraycopy(tokens(random, suffix, vocab), 0, prompt, prefix, suffix);
                out.add(GenerationRequest.ofTokens("g" + g + "-p" + p, prompt, greedy));
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return describe(groups, prompts, prefix, suffix, output);
    }

    private static String describe(int groups, int prompts, int prefix, int suffix, int output) {
        return groups + " groups x " + prompts + " prompts, prefix " + prefix + ", suffix " + suffix + ", output "
                + output;
    }

    private static int[] tokens(Random random, int n, int vocab) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = 3 + random.nextInt(vocab - 3);
        }
        return t;
    }
}
