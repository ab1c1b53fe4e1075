package dev.canopy.executor.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sums the lanes of a float vector in one fixed order: a tree that adds the upper half onto the lower
 * half until one lane is left. {@code reduceLanes(ADD)} leaves the order to the implementation (it may
 * differ between the interpreter and compiled code), which would break bit-for-bit reproducibility.
 */
final class VectorLanes {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    @SuppressWarnings("unchecked")
    private static final VectorShuffle<Float>[] HALVES = new VectorShuffle[Integer.numberOfTrailingZeros(F.length())];

    static {
        for (int level = 0, half = F.length() / 2; half >= 1; level++, half /= 2) {
            HALVES[level] = VectorShuffle.iota(F, half, 1, true);
        }
    }

    private VectorLanes() {}

    /**
     * The same sum as {@link #sum(FloatVector)}, bit for bit, of lanes stored at {@code lanes[at ..
     * at + F.length())}: the same tree of additions, done on scalars.
     */
    static float sumStored(float[] lanes, int at, float[] scratch) {
        int n = F.length();
        System.arraycopy(lanes, at, scratch, 0, n);
        for (int half = n / 2; half >= 1; half /= 2) {
            for (int i = 0; i < half; i++) {
                scratch[i] += scratch[i + half];
            }
        }
        return scratch[0];
    }

    /** The sum of all lanes, always added in the same order. */
    static float sum(FloatVector v) {
        for (VectorShuffle<Float> s : HALVES) {
            v = v.add(v.rearrange(s));
        }
        return v.lane(0);
    }
}
