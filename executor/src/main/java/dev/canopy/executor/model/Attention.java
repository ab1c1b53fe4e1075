package dev.canopy.executor.model;

import dev.canopy.executor.kv.KvStorage;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal attention of one query head over a sequence's paged KV cache. The query attends to
 * positions {@code 0..lastPos}; scores are scaled by 1/sqrt(headDim), softmaxed, and used to
 * average the values. A vectorized path (when the head size allows) and a scalar reference.
 */
final class Attention {

    private final int headDim;
    private final float scale;
    private final VectorSpecies<Float> species; // null: scalar path

    Attention(int headDim, boolean vectorized) {
        this.headDim = headDim;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.species = vectorized ? speciesFor(headDim) : null;
    }

    private static VectorSpecies<Float> speciesFor(int headDim) {
        for (VectorSpecies<Float> s : new VectorSpecies[] {FloatVector.SPECIES_512, FloatVector.SPECIES_256,
                FloatVector.SPECIES_128}) {
            if (s.length() <= FloatVector.SPECIES_PREFERRED.length() && headDim % s.length() == 0) {
                return s;
            }
        }
        return null;
    }

    /**
     * out[outOff .. +headDim] = Σ_j softmax(q·k_j · scale)_j v_j over positions j in [0, lastPos].
     *
     * @param q        query row; the head starts at {@code qOff}                 (headDim)
     * @param kv       the cache
     * @param layer    layer index
     * @param table    the sequence's block table
     * @param kvHead   which KV head (its offset in a slot is kvHead * headDim)
     * @param lastPos  last position attended (inclusive)
     * @param scores   scratch, at least lastPos + 1 long
     */
    void attend(float[] q, int qOff, KvStorage kv, int layer, int[] table, int kvHead, int lastPos, float[] scores,
                float[] out, int outOff) {
        MemorySegment keys = kv.keys(layer);
        MemorySegment values = kv.values(layer);
        int bs = kv.blockSize();
        long headOff = (long) kvHead * headDim;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j <= lastPos; j++) {
            long at = kv.slotIndex(table[j / bs], j % bs) + headOff;
            float s = dot(q, qOff, keys, at) * scale;
            scores[j] = s;
            max = Math.max(max, s);
        }
        float sum = 0f;
        for (int j = 0; j <= lastPos; j++) {
            float e = (float) Math.exp(scores[j] - max);
            scores[j] = e;
            sum += e;
        }
        float inv = 1f / sum;
        java.util.Arrays.fill(out, outOff, outOff + headDim, 0f);
        for (int j = 0; j <= lastPos; j++) {
            long at = kv.slotIndex(table[j / bs], j % bs) + headOff;
            axpy(scores[j] * inv, values, at, out, outOff);
        }
    }

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.nativeOrder());

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
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private void axpy(float a, MemorySegment seg, long at, float[] out, int outOff) {
        if (species == null) {
            for (int i = 0; i < headDim; i++) {
                out[outOff + i] += a * seg.getAtIndex(F32, at + i);
            }
            return;
        }
        for (int i = 0; i < headDim; i += species.length()) {
            FloatVector v = FloatVector.fromMemorySegment(species, seg, (at + i) * Float.BYTES, ByteOrder.nativeOrder());
            FloatVector o = FloatVector.fromArray(species, out, outOff + i);
            v.fma(FloatVector.broadcast(species, a), o).intoArray(out, outOff + i);
        }
    }
}
