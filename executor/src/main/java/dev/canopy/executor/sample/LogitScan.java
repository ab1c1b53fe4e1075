package dev.canopy.executor.sample;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorized passes over the first {@code vocab} floats of a row of logits (on the heap or in native memory):
 * the largest value, where a value first occurs, and the sampler's check that logits are finite or -infinity.
 * Each gives exactly what the scalar loop gives: {@link #max} follows {@link Math#max} (NaN wins), and
 * {@link #firstIndexOf} compares with {@code ==} (so -0 and +0 are equal), which makes
 * {@code firstIndexOf(row, vocab, max(row, vocab))} the lowest id among the maxima of a row without NaN.
 */
final class LogitScan {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private LogitScan() {
    }

    /** The largest of {@code row[0, vocab)}, NaN if any is NaN. */
    static float max(MemorySegment row, int vocab) {
        int bound = F.loopBound(vocab);
        FloatVector lanes = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < bound; i += F.length()) {
            lanes = lanes.max(FloatVector.fromMemorySegment(F, row, 4L * i, ORDER));
        }
        float max = lanes.reduceLanes(VectorOperators.MAX);
        for (int i = bound; i < vocab; i++) {
            max = Math.max(max, row.getAtIndex(ValueLayout.JAVA_FLOAT, i));
        }
        return max;
    }

    /**
     * The lowest index in {@code [0, vocab)} whose logit {@code == value}.
     *
     * @throws IllegalArgumentException if none is (the caller passed a value not in the row)
     */
    static int firstIndexOf(MemorySegment row, int vocab, float value) {
        int bound = F.loopBound(vocab);
        for (int i = 0; i < bound; i += F.length()) {
            VectorMask<Float> equal = FloatVector.fromMemorySegment(F, row, 4L * i, ORDER)
                    .compare(VectorOperators.EQ, value);
            if (equal.anyTrue()) {
                return i + equal.firstTrue();
            }
        }
        for (int i = bound; i < vocab; i++) {
            if (row.getAtIndex(ValueLayout.JAVA_FLOAT, i) == value) {
                return i;
            }
        }
        throw new IllegalArgumentException("Cannot find logit " + value + " among the first " + vocab + " logits");
    }

    /**
     * The largest of {@code row[0, vocab)}, once the row passed the sampler's check.
     *
     * @throws IllegalArgumentException naming the first token whose logit is NaN or +infinity, or saying that every
     *     logit is -infinity
     */
    static float checkedMax(MemorySegment row, int vocab) {
        float max = max(row, vocab);
        if (Float.isNaN(max) || max == Float.POSITIVE_INFINITY) {
            for (int i = 0; i < vocab; i++) {
                float x = row.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                if (Float.isNaN(x) || x == Float.POSITIVE_INFINITY) {
                    throw new IllegalArgumentException("Cannot sample: the logit of token " + i + " is " + x
                            + " (logits must be finite or -Infinity)");
                }
            }
        }
        if (max == Float.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("Cannot sample: all " + vocab + " logits are -Infinity");
        }
        return max;
    }
}
