package dev.canopy.executor.model;

import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.kv.KvStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the attention cases the C kernels' harness ({@code src/test/c/kernels_harness.c}) checks canopy_attend
 * against at every level, on x86-64 and under qemu-aarch64: the outputs of the Java {@link Attention} (no native
 * kernels) at the lane width it picked on the writing machine, which the C code must match bit for bit. The inputs
 * are not stored: keys, values, queries and sinks come from {@link #next}, a 32-bit linear congruential generator
 * the harness runs too (exact: 24-bit integers times 2^-23). Run by {@code src/test/c/make-reference.sh} on an
 * AVX-512 machine (so that heads of 64 record 16 lanes); the output is committed as
 * {@code src/test/resources/kernels/attention.bin}.
 *
 * <p>Format (little-endian): "CKA1", int32 case count; per case int32 lanes, headDim, kvHeads, groupSize,
 * blockSize, numBlocks, queries, window, hasSinks, seed, headFrom, headTo, then per query its last position and
 * its {@code lastPos / blockSize + 1} block ids, then float expected[queries * heads * headDim] (heads outside
 * [headFrom, headTo) zero). Inputs, drawn in this order: keys then values as (numBlocks * blockSize, kvDim), queries
 * (queries, heads * headDim), sinks (heads) where present.
 */
final class AttentionReferenceWriter {

    private AttentionReferenceWriter() {}

    public static void main(String[] args) throws IOException {
        List<byte[]> cases = new ArrayList<>();
        // headDim, kvHeads, groupSize, blockSize, numBlocks, window, sinks, headFrom, headTo
        int[][] shapes = {
                {64, 2, 2, 5, 7, Integer.MAX_VALUE, 0, 0, 4},   // 16 lanes on AVX-512 JVMs, 8 elsewhere
                {64, 2, 1, 16, 3, 21, 1, 1, 2},
                {40, 2, 1, 7, 5, 19, 1, 0, 2},                  // 8 lanes everywhere
                {36, 1, 2, 4, 8, Integer.MAX_VALUE, 0, 0, 2}};  // the scalar path
        int seed = 1;
        for (int[] s : shapes) {
            cases.add(encodeCase(s[0], s[1], s[2], s[3], s[4], s[5], s[6] == 1, s[7], s[8], seed++));
        }
        ByteBuffer out = ByteBuffer.allocate(8 + cases.stream().mapToInt(c -> c.length).sum())
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put("CKA1".getBytes(StandardCharsets.US_ASCII)).putInt(cases.size());
        cases.forEach(out::put);
        Files.write(Path.of(args[0]), out.array());
    }

    /** The generator both sides run: the state's next value and a float in [-1, 1) from its top 24 bits. */
    static int next(int state) {
        return state * 1664525 + 1013904223;
    }

    static float value(int state) {
        return ((state >>> 8) - 8388608) * (1f / 8388608);
    }

    private static byte[] encodeCase(int headDim, int kvHeads, int groupSize, int bs, int numBlocks, int window,
                                     boolean sinks, int headFrom, int headTo, int seed) {
        int heads = kvHeads * groupSize;
        ModelConfig c = new ModelConfig("llama", heads * headDim, 1, heads, kvHeads, headDim, 64, 8, 256, 1e-5f,
                10000f, headDim, RopeStyle.NORMAL, false);
        int positions = numBlocks * bs;
        int state = seed;
        float[] keys = new float[positions * c.kvDim()];   // (positions, kvDim), slot order
        float[] values = new float[positions * c.kvDim()]; // (positions, kvDim)
        for (float[] a : new float[][] {keys, values}) {
            for (int i = 0; i < a.length; i++) {
                state = next(state);
                a[i] = value(state);
            }
        }
        // three queries: two share the cache's first blocks, one reads them in another order
        int[] lastPos = {positions - 1, positions / 2, positions - 2};
        int[][] tables = new int[3][numBlocks];
        for (int b = 0; b < numBlocks; b++) {
            tables[0][b] = b;
            tables[1][b] = b;
            tables[2][b] = numBlocks - 1 - b;
        }
        float[] q = new float[3 * c.qDim()]; // (queries, qDim)
        for (int i = 0; i < q.length; i++) {
            state = next(state);
            q[i] = value(state) * 2;
        }
        float[] sinkLogits = null;
        if (sinks) {
            sinkLogits = new float[heads];
            for (int h = 0; h < heads; h++) {
                state = next(state);
                sinkLogits[h] = value(state) * 3;
            }
        }
        float[] expected = new float[q.length];
        Attention attention = new Attention(headDim, true, 0f, 1 / Math.sqrt(headDim), null);
        try (KvStorage kv = KvStorage.open(c, KvCacheType.F32, numBlocks, bs)) {
            for (int p = 0; p < positions; p++) {
                kv.write(0, p / bs, p % bs, keys, p * c.kvDim(), values, p * c.kvDim());
            }
            attention.attendGroup(q, new int[] {0, c.qDim(), 2 * c.qDim()}, lastPos, tables, kv, 0, headFrom, headTo,
                    groupSize, window, sinkLogits, expected);
        }
        int tableInts = 0;
        for (int last : lastPos) {
            tableInts += 1 + last / bs + 1;
        }
        ByteBuffer buf = ByteBuffer.allocate(4 * (12 + tableInts + expected.length)).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(attention.lanes()).putInt(headDim).putInt(kvHeads).putInt(groupSize).putInt(bs).putInt(numBlocks)
                .putInt(3).putInt(window).putInt(sinks ? 1 : 0).putInt(seed).putInt(headFrom).putInt(headTo);
        for (int i = 0; i < 3; i++) {
            buf.putInt(lastPos[i]);
            for (int b = 0; b <= lastPos[i] / bs; b++) {
                buf.putInt(tables[i][b]);
            }
        }
        for (float v : expected) {
            buf.putFloat(v);
        }
        return buf.array();
    }
}
