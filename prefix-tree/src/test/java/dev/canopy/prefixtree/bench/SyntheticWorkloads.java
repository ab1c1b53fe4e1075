package dev.canopy.prefixtree.bench;

import dev.canopy.prefixtree.Request;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Seeded synthetic jobs for the planner's comparisons. Token ids are random in a 32k vocabulary, so
 * prompts share exactly the prefixes the generator gives them. Requests arrive shuffled (an input
 * table in no useful order), so first-come-first-served interleaves groups.
 */
public final class SyntheticWorkloads {

    private static final int VOCAB = 32_000;
    private static final int MAX_TOKENS = 1024;

    private SyntheticWorkloads() {
    }

    /**
     * Document QA: 3 system prompts (120 tokens), {@code requests / 12} documents of 800 tokens picked
     * by Zipf(1.0) popularity, a unique 40-token question each; answers of 30..90 tokens.
     */
    public static Workload heavySharing(int requests, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[][] systems = segments(random, 3, 120);
        int[][] documents = segments(random, Math.max(1, requests / 12), 800);
        ZipfSampler popularity = new ZipfSampler(documents.length, 1.0);
        Builder job = new Builder();
        for (int i = 0; i < requests; i++) {
            int doc = popularity.next(random);
            job.add(concat(systems[doc % systems.length], documents[doc], tokens(random, 40)), 30 + random.nextInt(61));
        }
        return job.shuffled("heavy sharing", seed);
    }

    /** Unrelated prompts of 200..1000 tokens with answers of 20..400 tokens. */
    public static Workload noSharing(int requests, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Builder job = new Builder();
        for (int i = 0; i < requests; i++) {
            job.add(tokens(random, 200 + random.nextInt(801)), 20 + random.nextInt(381));
        }
        return job.shuffled("no sharing", seed);
    }

    /**
     * Two tasks in one table. 70% compute-bound document extraction: a 150-token instruction, one of
     * {@code requests * 0.7 / 6} documents of 1500 tokens (Zipf(1.0) popularity), a unique 30-token
     * field name; answers of 8..32 tokens. 30% memory-bound generation: a 200-token system prompt, one
     * of 20 few-shot templates of 300 tokens (Zipf(1.0)), a unique 40-token topic; answers of 300..700 tokens.
     */
    public static Workload mixed(int requests, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] instruction = tokens(random, 150);
        int[][] documents = segments(random, Math.max(1, (int) (requests * 0.7 / 6)), 1500);
        ZipfSampler documentPopularity = new ZipfSampler(documents.length, 1.0);
        int[] system = tokens(random, 200);
        int[][] templates = segments(random, 20, 300);
        ZipfSampler templatePopularity = new ZipfSampler(templates.length, 1.0);
        Builder job = new Builder();
        for (int i = 0; i < requests; i++) {
            if (random.nextDouble() < 0.7) {
                int[] doc = documents[documentPopularity.next(random)];
                job.add(concat(instruction, doc, tokens(random, 30)), 8 + random.nextInt(25));
            } else {
                int[] template = templates[templatePopularity.next(random)];
                job.add(concat(system, template, tokens(random, 40)), 300 + random.nextInt(401));
            }
        }
        return job.shuffled("mixed compute/memory", seed);
    }

    static int[] tokens(SplittableRandom random, int length) {
        int[] out = new int[length];
        for (int i = 0; i < length; i++) {
            out[i] = 1 + random.nextInt(VOCAB - 1);
        }
        return out;
    }

    static int[][] segments(SplittableRandom random, int count, int length) {
        int[][] out = new int[count][];
        for (int i = 0; i < count; i++) {
            out[i] = tokens(random, length);
        }
        return out;
    }

    static int[] concat(int[]... parts) {
        int length = 0;
        for (int[] part : parts) {
            length += part.length;
        }
        int[] out = new int[length];
        int at = 0;
        for (int[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    /** Collects prompts with their true output lengths, then shuffles them into arrival order. */
    private static final class Builder {
        private final List<int[]> prompts = new ArrayList<>();
        private final List<Integer> outputs = new ArrayList<>();

        void add(int[] prompt, int outputTokens) {
            prompts.add(prompt);
            outputs.add(outputTokens);
        }

        Workload shuffled(String name, long seed) {
            List<Integer> arrival = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                arrival.add(i);
            }
            Collections.shuffle(arrival, new Random(seed));
            List<Request> requests = new ArrayList<>(prompts.size());
            int[] truth = new int[prompts.size()];
            for (int k = 0; k < arrival.size(); k++) {
                int i = arrival.get(k);
                truth[k] = outputs.get(i);
                requests.add(Request.withExpectedOutput(k, prompts.get(i), MAX_TOKENS, truth[k]));
            }
            return new Workload(name, requests, truth);
        }
    }
}
