package dev.canopy.executor.model;

import dev.canopy.executor.kv.F32KvStorage;
import dev.canopy.executor.kv.KvStorage;
import dev.canopy.executor.kv.QuantizedKvStorage;
import dev.canopy.executor.tensor.FastExp;
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
 * species is a constant): 16 lanes when the head size allows, else 8, else the scalar reference.
 */
final class Attention {

    private static final VectorSpecies<Float> S16 = FloatVector.SPECIES_512;
    private static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;
    private static final boolean HAS_512 = FloatVector.SPECIES_PREFERRED.length() >= 16;
    private static final VectorShuffle<Float>[] HALVES16 = halvingShuffles(S16);
    private static final VectorShuffle<Float>[] HALVES8 = halvingShuffles(S8);

    private enum Path { SCALAR, LANES8, LANES16 }

    private final int headDim;
    private final float scale;
    private final Path path;

    Attention(int headDim, boolean vectorized) {
        this.headDim = headDim;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
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

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] halvingShuffles(VectorSpecies<Float> s) {
        VectorShuffle<Float>[] out = new VectorShuffle[Integer.numberOfTrailingZeros(s.length())];
        for (int level = 0, half = s.length() / 2; half >= 1; level++, half /= 2) {
            out[level] = VectorShuffle.iota(s, half, 1, true);
        }
        return out;
    }

    /**
     * Attention of one head for a group of query rows.
     *
     * @param q        queries: row r's head starts at {@code qBase[i]}          (rows, qDim)
     * @param qBase    per query of the group, offset of its head in {@code q}
     * @param lastPos  per query, the last position it attends (inclusive)
     * @param tables   per query, its sequence's block table
     * @param kvHead   which KV head the group's head reads
     * @param out      output: query i's result goes to {@code out[qBase[i] ..]} (same layout as q)
     */
    void attendGroup(float[] q, int[] qBase, int[] lastPos, int[][] tables, KvStorage kv, int layer, int kvHead,
                     float[] out) {
        int g = qBase.length;
        int bs = kv.blockSize();
        F32KvStorage f32 = kv instanceof F32KvStorage f ? f : null;
        QuantizedKvStorage quantized = f32 == null ? (QuantizedKvStorage) kv : null;
        // F32: the cache arrays themselves, (numBlocks * blockSize, kvDim); quantized: one dequantized block,
        // (blockSize, headDim)
        float[] keys = f32 != null ? f32.keyArray(layer) : new float[bs * headDim];
        float[] values = f32 != null ? f32.valueArray(layer) : new float[bs * headDim];
        int stride = f32 != null ? kv.kvDim() : headDim; // floats from one token's head to the next
        int headOff = kvHead * headDim;
        float[] max = new float[g];            // (g) running max of scores
        float[] sum = new float[g];            // (g) running sum of exp(score - max)
        float[] acc = new float[g * headDim];  // (g, headDim) running Σ exp(score - max) v
        float[] part = new float[headDim];     // (headDim) one block's weighted values
        float[] scores = new float[bs];        // (bs) one block's scores
        int maxBlock = 0;
        for (int p : lastPos) {
            maxBlock = Math.max(maxBlock, p / bs);
        }
        int loadedBlock = -1; // quantized: the block in keys/values, and how many of its tokens
        int loadedTokens = 0;
        for (int blk = 0; blk <= maxBlock; blk++) {
            for (int i = 0; i < g; i++) {
                int last = lastPos[i];
                if (blk * bs > last) {
                    continue;
                }
                int n = Math.min(bs, last - blk * bs + 1);
                int block = tables[i][blk];
                int slot0;
                if (f32 != null) {
                    slot0 = (int) f32.slotIndex(block, 0) + headOff;
                } else {
                    slot0 = 0;
                    // a complete block reads the quantized form, a partial one the form being filled
                    if (block != loadedBlock || n > loadedTokens || (n == bs) != (loadedTokens == bs)) {
                        quantized.readHead(layer, block, kvHead, headDim, n, keys, values);
                        loadedBlock = block;
                        loadedTokens = n;
                    }
                }
                float m = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    float s = dot(q, qBase[i], keys, slot0 + j * stride) * scale;
                    scores[j] = s;
                    m = Math.max(m, s);
                }
                java.util.Arrays.fill(part, 0f);
                float partSum = 0f;
                for (int j = 0; j < n; j++) {
                    float e = FastExp.exp(scores[j] - m);
                    partSum += e;
                    axpy(e, values, slot0 + j * stride, part);
                }
                merge(i, m, partSum, part, max, sum, acc, blk == 0);
            }
        }
        for (int i = 0; i < g; i++) {
            float inv = 1f / sum[i];
            for (int d = 0; d < headDim; d++) {
                out[qBase[i] + d] = acc[i * headDim + d] * inv;
            }
        }
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
        for (int d = 0; d < headDim; d++) {
            acc[base + d] = acc[base + d] * a + part[d] * b;
        }
        max[i] = newMax;
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
        for (VectorShuffle<Float> s : HALVES16) {
            acc = acc.add(acc.rearrange(s));
        }
        return acc.lane(0);
    }

    private float dot8(float[] q, int qOff, float[] k, int kOff) {
        FloatVector acc = FloatVector.zero(S8);
        for (int i = 0; i < headDim; i += 8) {
            acc = FloatVector.fromArray(S8, q, qOff + i).fma(FloatVector.fromArray(S8, k, kOff + i), acc);
        }
        for (VectorShuffle<Float> s : HALVES8) {
            acc = acc.add(acc.rearrange(s));
        }
        return acc.lane(0);
    }

    /** out += a · v[vOff ..]. */
    private void axpy(float a, float[] v, int vOff, float[] out) {
        switch (path) {
            case LANES16 -> {
                FloatVector av = FloatVector.broadcast(S16, a);
                for (int i = 0; i < headDim; i += 16) {
                    FloatVector.fromArray(S16, v, vOff + i).fma(av, FloatVector.fromArray(S16, out, i)).intoArray(out, i);
                }
            }
            case LANES8 -> {
                FloatVector av = FloatVector.broadcast(S8, a);
                for (int i = 0; i < headDim; i += 8) {
                    FloatVector.fromArray(S8, v, vOff + i).fma(av, FloatVector.fromArray(S8, out, i)).intoArray(out, i);
                }
            }
            case SCALAR -> {
                for (int i = 0; i < headDim; i++) {
                    out[i] += a * v[vOff + i];
                }
            }
        }
    }
}
