package dev.canopy.executor.cuda;

import dev.canopy.executor.model.Backend;
import dev.canopy.executor.model.ForwardBatch;
import java.util.Arrays;

/**
 * Timed workloads on any backend: prefill of one long prompt, decode of one sequence, decode of many
 * sequences in lockstep. Each sequence owns a contiguous run of KV blocks; tokens are greedy (argmax
 * of the copied logits, on the host), so the timing includes the logits' copy back, as the engine's.
 *
 * @param backend  the backend under test
 * @param vocab    vocabulary size (prompt tokens are drawn below it)
 */
record Throughput(Backend backend, int vocab) {

    /** Tokens processed and the seconds they took. */
    record Timing(long tokens, double seconds) {
        double tokensPerSecond() {
            return tokens / seconds;
        }
    }

    /**
     * Prefill of {@code length} tokens of one sequence in one step, best of up to {@code repeats}: no
     * further repeat starts once {@code maxSeconds} have passed.
     */
    Timing prefill(int length, int repeats, double maxSeconds) {
        int[] prompt = prompt(length, 0);
        long start = System.nanoTime();
        double best = Double.MAX_VALUE;
        for (int i = 0; i < repeats && (i == 0 || (System.nanoTime() - start) / 1e9 < maxSeconds); i++) {
            long t0 = System.nanoTime();
            backend.forward(ForwardBatch.ofSequence(prompt, 0, table(0, length)));
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return new Timing(length, best);
    }

    /**
     * {@code sequences} sequences, each prefilled with {@code promptLength} tokens (at most
     * {@code maxPrefillRows} rows a step, untimed), then {@code steps} timed decode steps of one token
     * per sequence; no further step starts once {@code maxSeconds} of them have passed (the timing
     * counts the steps run).
     */
    Timing decode(int sequences, int promptLength, int steps, int maxPrefillRows, double maxSeconds) {
        int total = promptLength + steps;
        int[][] tables = new int[sequences][];
        for (int s = 0; s < sequences; s++) {
            tables[s] = table(s, total);
        }
        int[] next = prefill(sequences, promptLength, tables, maxPrefillRows);
        long t0 = System.nanoTime();
        int[] rows = new int[sequences];
        for (int s = 0; s < sequences; s++) {
            rows[s] = s;
        }
        int step = 0;
        for (; step < steps && (step == 0 || (System.nanoTime() - t0) / 1e9 < maxSeconds); step++) {
            int[] positions = new int[sequences];
            Arrays.fill(positions, promptLength + step);
            float[] logits = backend.forward(new ForwardBatch(next.clone(), positions, rows, tables, rows));
            for (int s = 0; s < sequences; s++) {
                next[s] = argmax(logits, s * vocab);
            }
        }
        return new Timing((long) sequences * step, (System.nanoTime() - t0) / 1e9);
    }

    /** Prefills every sequence's prompt; returns each sequence's first sampled token. */
    private int[] prefill(int sequences, int promptLength, int[][] tables, int maxPrefillRows) {
        int perStep = Math.max(1, maxPrefillRows / promptLength);
        int[] next = new int[sequences];
        for (int first = 0; first < sequences; first += perStep) {
            int count = Math.min(perStep, sequences - first);
            int n = count * promptLength;
            int[] tokens = new int[n];
            int[] positions = new int[n];
            int[] rowSequence = new int[n];
            int[] logitRows = new int[count];
            for (int s = 0; s < count; s++) {
                int[] p = prompt(promptLength, first + s);
                for (int i = 0; i < promptLength; i++) {
                    tokens[s * promptLength + i] = p[i];
                    positions[s * promptLength + i] = i;
                    rowSequence[s * promptLength + i] = s;
                }
                logitRows[s] = (s + 1) * promptLength - 1;
            }
            float[] logits = backend.forward(new ForwardBatch(tokens, positions, rowSequence,
                    Arrays.copyOfRange(tables, first, first + count), logitRows));
            for (int s = 0; s < count; s++) {
                next[first + s] = argmax(logits, s * vocab);
            }
        }
        return next;
    }

    /** The blocks of sequence {@code s}: enough for {@code tokens} tokens, after those of sequences 0..s-1. */
    private int[] table(int s, int tokens) {
        int blocks = (tokens + backend.blockSize() - 1) / backend.blockSize();
        int[] t = new int[blocks];
        for (int i = 0; i < blocks; i++) {
            t[i] = s * blocks + i;
        }
        return t;
    }

    /** Blocks {@code sequences} sequences of {@code tokens} tokens need. */
    static int blocksFor(int sequences, int tokens, int blockSize) {
        return sequences * ((tokens + blockSize - 1) / blockSize);
    }

    /** A deterministic prompt for sequence {@code s}: BOS then tokens spread over the vocabulary. */
    private int[] prompt(int length, int s) {
        int[] p = new int[length];
        p[0] = 1;
        for (int i = 1; i < length; i++) {
            p[i] = 3 + (int) ((i * 7919L + s * 104729L) % (vocab - 3));
        }
        return p;
    }

    private int argmax(float[] logits, int offset) {
        int best = 0;
        for (int v = 1; v < vocab; v++) {
            if (logits[offset + v] > logits[offset + best]) {
                best = v;
            }
        }
        return best;
    }
}
