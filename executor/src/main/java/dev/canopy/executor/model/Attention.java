package dev.canopy.executor.model;

import dev.canopy.executor.kv.F32KvStorage;
import dev.canopy.executor.kv.KvStorage;
import dev.canopy.executor.kv.QuantizedKvStorage;
import dev.canopy.executor.tensor.FastExp;
import dev.canopy.executor.tensor.NativeAttention;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal attention over a paged KV cache, block by block, for a group of query rows at once.
 *
 * <p>Each query keeps a running softmax state (max, sum, weighted value sum). For every KV block
 * the query's partial over that block's positions is computed and merged into the state by
 * log-sum-exp, in block order. Rows whose sequences share prefix blocks (same block ids) go in one
 * group: the loop runs block-major, so a shared block's keys and values are read once for all of
 * the group's queries (cascade / RelayAttention style). Because every query performs exactly the
 * same operations in the same order whatever group it is in, the result of a row is bit-identical
 * whether it runs alone or with others.
 *
 * <p>An {@link F32KvStorage} is read in place; a quantized cache ({@link QuantizedKvStorage}) is dequantized one
 * block and head at a time into a small scratch, which the same dot products then read.
 *
 * <p>The vector paths use constant species (the Vector API only compiles to SIMD code when the
 * species is a constant): 16 lanes when the head size allows, else 8, else the scalar reference. Each width keeps
 * its own lines on purpose: written once over a species parameter (bit-identical), HotSpot compiles the generic
 * method on its own with a non-constant species and then declines to inline that large code (InlineSmallCode), and
 * decode attention ran 3.1x (heads of 64) and 9.6x (heads of 40) slower in one A/B run.
 *
 * <p>Given a {@link NativeAttention}, an F32 cache without soft-cap is attended in C instead, bit for bit the same
 * (the C kernels follow the lane width chosen here); a quantized cache and gemma2's soft-cap (Java's tanh) stay here.
 */
final class Attention {

    private static final VectorSpecies<Float> S16 = FloatVector.SPECIES_512;
    private static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;
    private static final boolean HAS_512 = FloatVector.SPECIES_PREFERRED.length() >= 16;
    // The lane-sum tree's shuffles, each its own constant: the JIT compiles rearrange to one permute
    // only when the shuffle is a constant, and an element of an array is not one.
    private static final VectorShuffle<Float> S16_HALF8 = VectorShuffle.iota(S16, 8, 1, true);
    private static final VectorShuffle<Float> S16_HALF4 = VectorShuffle.iota(S16, 4, 1, true);
    private static final VectorShuffle<Float> S16_HALF2 = VectorShuffle.iota(S16, 2, 1, true);
    private static final VectorShuffle<Float> S16_HALF1 = VectorShuffle.iota(S16, 1, 1, true);
    private static final VectorShuffle<Float> S8_HALF4 = VectorShuffle.iota(S8, 4, 1, true);
    private static final VectorShuffle<Float> S8_HALF2 = VectorShuffle.iota(S8, 2, 1, true);
    private static final VectorShuffle<Float> S8_HALF1 = VectorShuffle.iota(S8, 1, 1, true);

    private enum Path { SCALAR, LANES8, LANES16 }

    private final int headDim;
    private final float scale;
    private final Path path;
    private final float softcap; // c in c·tanh(s/c) on every score; 0: no soft-cap
    private final NativeAttention nativeAttention; // null: always the Vector API

    Attention(int headDim, boolean vectorized) {
        this(headDim, vectorized, 0f, 1.0 / Math.sqrt(headDim), null);
    }

    /**
     * @param softcap attention-logit soft-cap (gemma2), or 0 for none
     * @param scale   the factor on q·k (1/sqrt(headDim) for most models)
     * @param nativeAttention the C kernels for F32 caches, or null to attend in Java only
     */
    Attention(int headDim, boolean vectorized, float softcap, double scale, NativeAttention nativeAttention) {
        this.softcap = softcap;
        this.nativeAttention = nativeAttention;
        this.headDim = headDim;
        this.scale = (float) scale;
        if (!vectorized) {
            path = Path.SCALAR;
        } else if (HAS_512 && headDim % 16 == 0) {
            path = Path.LANES16;
        } else if (headDim % 8 == 0) {
            path = Path.LANES8;
        } else {
            path = Path.SCALAR;
        }
    }

    /**
     * Attention of heads {@code [headFrom, headTo)} for a group of query rows.
     *
     * <p>The loop runs block-major with heads inner: a block's keys and values for all of the range's
     * heads are read while the block is in cache, and consecutive heads read adjacent memory. Each
     * (query, head) pair performs the same operations in the same order as when attended alone.
     *
     * @param q         queries: query i's row starts at {@code qBase[i]}, head h at {@code + h * headDim}  (rows, qDim)
     * @param qBase     per query of the group, offset of its row in {@code q}
     * @param lastPos   per query, the last position it attends (inclusive)
     * @param tables    per query, its sequence's block table
     * @param groupSize query heads per KV head (head h reads KV head {@code h / groupSize})
     * @param out       output, same layout as {@code q}
     */
    void attendGroup(float[] q, int[] qBase, int[] lastPos, int[][] tables, KvStorage kv, int layer, int headFrom,
                     int headTo, int groupSize, float[] out) {
        attendGroup(q, qBase, lastPos, tables, kv, layer, headFrom, headTo, groupSize, Integer.MAX_VALUE, null, out);
    }

    /**
     * {@link #attendGroup(float[], int[], int[], int[][], KvStorage, int, int, int, int, float[])} over a sliding
     * window with attention sinks: a query at position i sees positions j with {@code i - j < window}, and head h's
     * softmax has the extra logit {@code sinks[h]} with no value.
     *
     * @param window the window length ({@code Integer.MAX_VALUE}: the whole sequence)
     * @param sinks  per query head its sink logit, or null for none
     */
    void attendGroup(float[] q, int[] qBase, int[] lastPos, int[][] tables, KvStorage kv, int layer, int headFrom,
                     int headTo, int groupSize, int window, float[] sinks, float[] out) {
        int g = qBase.length;
        int nh = headTo - headFrom;
        int bs = kv.blockSize();
        F32KvStorage f32 = kv instanceof F32KvStorage f ? f : null;
        if (runsNative(f32 != null)) {
            int[] tableStart = new int[g]; // the tables the queries read, one after the other
            int blocks = 0;
            for (int i = 0; i < g; i++) {
                tableStart[i] = blocks;
                blocks += lastPos[i] / bs + 1;
            }
            int[] flat = new int[blocks];
            for (int i = 0; i < g; i++) {
                System.arraycopy(tables[i], 0, flat, tableStart[i], lastPos[i] / bs + 1);
            }
            nativeAttention.attend(lanes(), headDim, scale, q, qBase, lastPos, flat, tableStart, f32.keyArray(layer),
                    f32.valueArray(layer), kv.kvDim(), bs, headFrom, headTo, groupSize, window, sinks, out);
            return;
        }
        QuantizedKvStorage quantized = f32 == null ? (QuantizedKvStorage) kv : null;
        // F32: the cache arrays themselves, (numBlocks * blockSize, kvDim); quantized: one dequantized block
        // head, (blockSize, headDim)
        float[] keys = f32 != null ? f32.keyArray(layer) : new float[bs * headDim];
        float[] values = f32 != null ? f32.valueArray(layer) : new float[bs * headDim];
        int stride = f32 != null ? kv.kvDim() : headDim; // floats from one token's head to the next
        float[] max = new float[g * nh];            // (g, nh) running max of scores
        float[] sum = new float[g * nh];            // (g, nh) running sum of exp(score - max)
        float[] acc = new float[g * nh * headDim];  // (g, nh, headDim) running Σ exp(score - max) v
        float[] part = new float[headDim];          // (headDim) one block's weighted values
        float[] scores = new float[bs];             // (bs) one block's scores
        int maxBlock = 0;
        int[] firstPos = new int[g]; // per query, the first position it sees
        for (int i = 0; i < g; i++) {
            maxBlock = Math.max(maxBlock, lastPos[i] / bs);
            firstPos[i] = (int) Math.max(0L, (long) lastPos[i] - window + 1);
        }
        int loadedBlock = -1; // quantized: the block and KV head in keys/values, and how many of its tokens
        int loadedHead = -1;
        int loadedTokens = 0;
        for (int blk = 0; blk <= maxBlock; blk++) {
            for (int h = headFrom; h < headTo; h++) {
                int kvHead = h / groupSize;
                for (int i = 0; i < g; i++) {
                    int last = lastPos[i];
                    if (blk * bs > last || (blk + 1) * bs <= firstPos[i]) {
                        continue;
                    }
                    int n = Math.min(bs, last - blk * bs + 1);
                    int skip = Math.max(0, firstPos[i] - blk * bs); // leading positions outside the window
                    int block = tables[i][blk];
                    int kvOff;
                    if (f32 != null) {
                        kvOff = (int) f32.slotIndex(block, 0) + kvHead * headDim;
                    } else {
                        kvOff = 0;
                        // a complete block reads the quantized form, a partial one the form being filled
                        if (block != loadedBlock || kvHead != loadedHead || n > loadedTokens
                                || (n == bs) != (loadedTokens == bs)) {
                            quantized.readHead(layer, block, kvHead, headDim, n, keys, values);
                            loadedBlock = block;
                            loadedHead = kvHead;
                            loadedTokens = n;
                        }
                    }
                    int qOff = qBase[i] + h * headDim;
                    int from = kvOff + skip * stride;
                    int seen = n - skip;
                    float m = path == Path.LANES16 && headDim == 64
                            ? scores64(q, qOff, keys, from, stride, seen, scores)
                            : scores(q, qOff, keys, from, stride, seen, scores);
                    if (softcap > 0) {
                        m = softcap(scores, seen);
                    }
                    float partSum = expAndSum(scores, seen, m);
                    weightedSum(scores, seen, values, from, stride, part);
                    merge(i * nh + h - headFrom, m, partSum, part, max, sum, acc, blk == firstPos[i] / bs);
                }
            }
        }
        for (int i = 0; i < g; i++) {
            for (int h = headFrom; h < headTo; h++) {
                int state = i * nh + h - headFrom;
                float inv = 1f / sum[state];
                if (sinks != null) { // the sink joins the softmax's denominator only
                    float m = Math.max(max[state], sinks[h]);
                    float a = FastExp.exp(max[state] - m);
                    inv = a / (sum[state] * a + FastExp.exp(sinks[h] - m));
                }
                int o = qBase[i] + h * headDim;
                for (int d = 0; d < headDim; d++) {
                    out[o + d] = acc[state * headDim + d] * inv;
                }
            }
        }
    }

    /**
     * Where a cache's attention runs, e.g. "native AVX2, 8 lanes" or "Java Vector API, 16 lanes" (a quantized cache or
     * a soft-cap stays in Java).
     */
    String describe(boolean f32Cache) {
        String order = lanes() == 1 ? "scalar order" : lanes() + " lanes";
        return (runsNative(f32Cache) ? nativeAttention.describe()
                : lanes() == 1 ? "Java" : "Java Vector API") + ", " + order;
    }

    /** Whether a cache is attended in C: an F32 one, without soft-cap, where there is a {@link NativeAttention}. */
    private boolean runsNative(boolean f32Cache) {
        return nativeAttention != null && f32Cache && softcap == 0;
    }

    /** The lane width whose order of float operations this instance follows: 16, 8, or 1 (the scalar reference). */
    int lanes() {
        return switch (path) {
            case LANES16 -> 16;
            case LANES8 -> 8;
            case SCALAR -> 1;
        };
    }

    /** scores[j] = c·tanh(scores[j] / c) for j in 0..n-1; returns their maximum. */
    private float softcap(float[] scores, int n) {
        float m = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            float s = softcap * (float) Math.tanh(scores[j] / softcap);
            scores[j] = s;
            m = Math.max(m, s);
        }
        return m;
    }

    /** Folds one block's partial (max m, sum s, values part) into query i's running state. */
    private void merge(int i, float m, float s, float[] part, float[] max, float[] sum, float[] acc, boolean first) {
        int base = i * headDim;
        if (first) {
            max[i] = m;
            sum[i] = s;
            System.arraycopy(part, 0, acc, base, headDim);
            return;
        }
        float newMax = Math.max(max[i], m);
        float a = FastExp.exp(max[i] - newMax);
        float b = FastExp.exp(m - newMax);
        sum[i] = sum[i] * a + s * b;
        int d = 0;
        if (path == Path.LANES16) { // the same two products and one sum per element as the scalar loop
            for (; d < headDim; d += 16) {
                FloatVector.fromArray(S16, acc, base + d).mul(a).add(FloatVector.fromArray(S16, part, d).mul(b))
                        .intoArray(acc, base + d);
            }
        } else if (path == Path.LANES8) {
            for (; d < headDim; d += 8) {
                FloatVector.fromArray(S8, acc, base + d).mul(a).add(FloatVector.fromArray(S8, part, d).mul(b))
                        .intoArray(acc, base + d);
            }
        }
        for (; d < headDim; d++) {
            acc[base + d] = acc[base + d] * a + part[d] * b;
        }
        max[i] = newMax;
    }

    /**
     * scores[j] = exp(scores[j] - m) for j in 0..n-1; returns their sum, added in j order. The vector
     * and scalar {@link FastExp} give the same bits, so the lanes may be exponentiated together.
     */
    private float expAndSum(float[] scores, int n, float m) {
        int j = 0;
        if (path == Path.LANES16) {
            for (; j + 16 <= n; j += 16) {
                FastExp.exp(FloatVector.fromArray(S16, scores, j).sub(m)).intoArray(scores, j);
            }
        }
        for (; j < n; j++) {
            scores[j] = FastExp.exp(scores[j] - m);
        }
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += scores[i];
        }
        return sum;
    }

    /** scores[j] = q · k[kOff + j * stride ..] × scale for j in 0..n-1; returns their maximum. */
    private float scores(float[] q, int qOff, float[] k, int kOff, int stride, int n, float[] scores) {
        float m = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            float s = dot(q, qOff, k, kOff + j * stride) * scale;
            scores[j] = s;
            m = Math.max(m, s);
        }
        return m;
    }

    /**
     * {@link #scores} for 64-wide heads on 16 lanes, with the query held in registers across the
     * positions: the same operations per position as {@link #dot16}, so the same bits.
     */
    private float scores64(float[] q, int qOff, float[] k, int kOff, int stride, int n, float[] scores) {
        FloatVector q0 = FloatVector.fromArray(S16, q, qOff);
        FloatVector q1 = FloatVector.fromArray(S16, q, qOff + 16);
        FloatVector q2 = FloatVector.fromArray(S16, q, qOff + 32);
        FloatVector q3 = FloatVector.fromArray(S16, q, qOff + 48);
        FloatVector zero = FloatVector.zero(S16);
        float m = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            int o = kOff + j * stride;
            FloatVector acc = q0.fma(FloatVector.fromArray(S16, k, o), zero);
            acc = q1.fma(FloatVector.fromArray(S16, k, o + 16), acc);
            acc = q2.fma(FloatVector.fromArray(S16, k, o + 32), acc);
            acc = q3.fma(FloatVector.fromArray(S16, k, o + 48), acc);
            float s = sum16(acc) * scale;
            scores[j] = s;
            m = Math.max(m, s);
        }
        return m;
    }

    private static float sum16(FloatVector acc) {
        acc = acc.add(acc.rearrange(S16_HALF8));
        acc = acc.add(acc.rearrange(S16_HALF4));
        acc = acc.add(acc.rearrange(S16_HALF2));
        acc = acc.add(acc.rearrange(S16_HALF1));
        return acc.lane(0);
    }

    private float dot(float[] q, int qOff, float[] k, int kOff) {
        return switch (path) {
            case LANES16 -> dot16(q, qOff, k, kOff);
            case LANES8 -> dot8(q, qOff, k, kOff);
            case SCALAR -> dotScalar(q, qOff, k, kOff);
        };
    }

    private float dotScalar(float[] q, int qOff, float[] k, int kOff) {
        float s = 0f;
        for (int i = 0; i < headDim; i++) {
            s += q[qOff + i] * k[kOff + i];
        }
        return s;
    }

    private float dot16(float[] q, int qOff, float[] k, int kOff) {
        FloatVector acc = FloatVector.zero(S16);
        for (int i = 0; i < headDim; i += 16) {
            acc = FloatVector.fromArray(S16, q, qOff + i).fma(FloatVector.fromArray(S16, k, kOff + i), acc);
        }
        return sum16(acc);
    }

    private float dot8(float[] q, int qOff, float[] k, int kOff) {
        FloatVector acc = FloatVector.zero(S8);
        for (int i = 0; i < headDim; i += 8) {
            acc = FloatVector.fromArray(S8, q, qOff + i).fma(FloatVector.fromArray(S8, k, kOff + i), acc);
        }
        acc = acc.add(acc.rearrange(S8_HALF4));
        acc = acc.add(acc.rearrange(S8_HALF2));
        acc = acc.add(acc.rearrange(S8_HALF1));
        return acc.lane(0);
    }

    /**
     * part[d] = Σ_j w[j] · v[vOff + j * stride + d] for j in 0..n-1, accumulated in j order from zero
     * (a fused multiply-add per term on the vector paths; the scalar reference adds products). Each lane
     * chunk's accumulator stays in a register across the positions rather than going through memory.
     */
    private void weightedSum(float[] w, int n, float[] v, int vOff, int stride, float[] part) {
        switch (path) {
            case LANES16 -> {
                int i = 0;
                for (; i + 64 <= headDim; i += 64) { // four independent accumulator chains
                    FloatVector a0 = FloatVector.zero(S16);
                    FloatVector a1 = FloatVector.zero(S16);
                    FloatVector a2 = FloatVector.zero(S16);
                    FloatVector a3 = FloatVector.zero(S16);
                    for (int j = 0; j < n; j++) {
                        FloatVector wj = FloatVector.broadcast(S16, w[j]);
                        int o = vOff + j * stride + i;
                        a0 = FloatVector.fromArray(S16, v, o).fma(wj, a0);
                        a1 = FloatVector.fromArray(S16, v, o + 16).fma(wj, a1);
                        a2 = FloatVector.fromArray(S16, v, o + 32).fma(wj, a2);
                        a3 = FloatVector.fromArray(S16, v, o + 48).fma(wj, a3);
                    }
                    a0.intoArray(part, i);
                    a1.intoArray(part, i + 16);
                    a2.intoArray(part, i + 32);
                    a3.intoArray(part, i + 48);
                }
                for (; i < headDim; i += 16) {
                    FloatVector acc = FloatVector.zero(S16);
                    for (int j = 0; j < n; j++) {
                        acc = FloatVector.fromArray(S16, v, vOff + j * stride + i).fma(FloatVector.broadcast(S16, w[j]), acc);
                    }
                    acc.intoArray(part, i);
                }
            }
            case LANES8 -> {
                for (int i = 0; i < headDim; i += 8) {
                    FloatVector acc = FloatVector.zero(S8);
                    for (int j = 0; j < n; j++) {
                        acc = FloatVector.fromArray(S8, v, vOff + j * stride + i).fma(FloatVector.broadcast(S8, w[j]), acc);
                    }
                    acc.intoArray(part, i);
                }
            }
            case SCALAR -> {
                for (int d = 0; d < headDim; d++) {
                    float acc = 0f;
                    for (int j = 0; j < n; j++) {
                        acc += w[j] * v[vOff + j * stride + d];
                    }
                    part[d] = acc;
                }
            }
        }
    }
}
