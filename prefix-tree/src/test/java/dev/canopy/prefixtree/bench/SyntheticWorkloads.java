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

    /**
     * The scale job: prompts of about 300 tokens over 2-3 prefix levels. 16 system prompts (40..120
     * tokens, Zipf(1.1)); 2000 templates (60..160 tokens), each under one system prompt, picked by
     * Zipf(1.0); half the templates have 5 few-shot variants (40..100 tokens, Zipf(1.0)); then a unique
     * 20..120-token suffix. Answers of 20..400 tokens. Requests are drawn independently, so arrival
     * order is random. Every prompt is its own array, as a tokenizer would give it.
     */
    public static Workload scale(int requests, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[][] systems = new int[16][];
        for (int s = 0; s < systems.length; s++) {
            systems[s] = tokens(random, 40 + random.nextInt(81));
        }
        int[][] templates = new int[2000][];
        int[] systemOf = new int[templates.length];
        int[][][] variants = new int[templates.length][][];
        ZipfSampler systemPopularity = new ZipfSampler(systems.length, 1.1);
        for (int t = 0; t < templates.length; t++) {
            systemOf[t] = systemPopularity.next(random);
            templates[t] = tokens(random, 60 + random.nextInt(101));
            if (random.nextBoolean()) {
                variants[t] = new int[5][];
                for (int v = 0; v < 5; v++) {
                    variants[t][v] = tokens(random, 40 + random.nextInt(61));
                }
            }
        }
        ZipfSampler templatePopularity = new ZipfSampler(templates.length, 1.0);
        ZipfSampler variantPopularity = new ZipfSampler(5, 1.0);
        List<Request> out = new ArrayList<>(requests);
        int[] truth = new int[requests];
        for (int i = 0; i < requests; i++) {
            int t = templatePopularity.next(random);
            int[] variant = variants[t] == null ? new int[0] : variants[t][variantPopularity.next(random)];
            int[] prompt = concat(systems[systemOf[t]], templates[t], variant, tokens(random, 20 + random.nextInt(101)));
            truth[i] = 20 + random.nextInt(381);
            out.add(Request.withExpectedOutput(i, prompt, MAX_TOKENS, truth[i]));
        }
        return new Workload("scale", out, truth);
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
