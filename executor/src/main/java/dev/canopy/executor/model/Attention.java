package dev.canopy.executor.model;

import dev.canopy.executor.kv.KvStorage;
import dev.canopy.executor.tensor.FastExp;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
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
 */
final class Attention {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    private final int headDim;
    private final float scale;
    private final VectorSpecies<Float> species; // null: scalar path
    private final VectorShuffle<Float>[] halves;

    Attention(int headDim, boolean vectorized) {
        this.headDim = headDim;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.species = vectorized ? speciesFor(headDim) : null;
        this.halves = species == null ? null : halvingShuffles(species);
    }

    private static VectorSpecies<Float> speciesFor(int headDim) {
        for (VectorSpecies<Float> s : java.util.List.of(FloatVector.SPECIES_512, FloatVector.SPECIES_256,
                FloatVector.SPECIES_128)) {
            if (s.length() <= FloatVector.SPECIES_PREFERRED.length() && headDim % s.length() == 0) {
                return s;
            }
        }
        return null;
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
        MemorySegment keys = kv.keys(layer);
        MemorySegment values = kv.values(layer);
        long headOff = (long) kvHead * headDim;
        float[] max = new float[g];        // (g) running max of scores
        float[] sum = new float[g];        // (g) running sum of exp(score - max)
        float[] acc = new float[g * headDim]; // (g, headDim) running Σ exp(score - max) v
        float[] part = new float[headDim]; // (headDim) one block's weighted values
        float[] scores = new float[bs];    // (bs) one block's scores
        int maxBlock = 0;
        for (int p : lastPos) {
            maxBlock = Math.max(maxBlock, p / bs);
        }
        for (int blk = 0; blk <= maxBlock; blk++) {
            for (int i = 0; i < g; i++) {
                int last = lastPos[i];
                if (blk * bs > last) {
                    continue;
                }
                int n = Math.min(bs, last - blk * bs + 1);
                long slot0 = kv.slotIndex(tables[i][blk], 0) + headOff;
                float m = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    float s = dot(q, qBase[i], keys, slot0 + (long) j * kv.kvDim()) * scale;
                    scores[j] = s;
                    m = Math.max(m, s);
                }
                java.util.Arrays.fill(part, 0f);
                float partSum = 0f;
                for (int j = 0; j < n; j++) {
                    float e = FastExp.exp(scores[j] - m);
                    partSum += e;
                    axpy(e, values, slot0 + (long) j * kv.kvDim(), part, 0);
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

    private float dot(float[] q, int qOff, MemorySegment seg, long at) {
        if (species == null) {
            float s = 0f;
            for (int i = 0; i < headDim; i++) {
                s += q[qOff + i] * seg.getAtIndex(F32, at + i);
            }
            return s;
        }
        FloatVector acc = FloatVector.zero(species);
        for (int i = 0; i < headDim; i += species.length()) {
            FloatVector a = FloatVector.fromArray(species, q, qOff + i);
            FloatVector b = FloatVector.fromMemorySegment(species, seg, (at + i) * Float.BYTES, ByteOrder.nativeOrder());
            acc = a.fma(b, acc);
        }
        for (VectorShuffle<Float> s : halves) {
            acc = acc.add(acc.rearrange(s));
        }
        return acc.lane(0);
    }

    private void axpy(float a, MemorySegment seg, long at, float[] out, int outOff) {
        if (species == null) {
            for (int i = 0; i < headDim; i++) {
                out[outOff + i] += a * seg.getAtIndex(F32, at + i);
            }
            return;
        }
        FloatVector av = FloatVector.broadcast(species, a);
        for (int i = 0; i < headDim; i += species.length()) {
            FloatVector v = FloatVector.fromMemorySegment(species, seg, (at + i) * Float.BYTES, ByteOrder.nativeOrder());
            v.fma(av, FloatVector.fromArray(species, out, outOff + i)).intoArray(out, outOff + i);
        }
    }
}
