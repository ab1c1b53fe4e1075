package dev.canopy.executor.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@code e^x} in float to about 2 ulp (Cephes {@code expf}: split off a power of two, then a degree-6
 * polynomial), built only from exactly rounded operations, so the vector lanes and the scalar version
 * give identical bits everywhere: in the interpreter, in compiled code, at any array position.
 */
public final class FastExp {

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float ROUNDER = 12582912f; // 1.5 * 2^23: adding it rounds to an integer (ties to even)
    private static final float MAX_ARG = 88.72283f; // above: +infinity
    private static final float MIN_ARG = -87.33654f; // below: 0 (keeps 2^n a normal float)
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;

    private FastExp() {}

    public static float exp(float x) {
        if (!(x >= MIN_ARG)) {
            return Float.isNaN(x) ? x : 0f;
        }
        if (x > MAX_ARG) {
            return Float.POSITIVE_INFINITY;
        }
        float n = (x * LOG2E + ROUNDER) - ROUNDER;
        float r = Math.fma(n, -LN2_LO, Math.fma(n, -LN2_HI, x));
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(P0, r, P1), r, P2), r, P3), r, P4), r, P5);
        float y = Math.fma(p, r * r, r) + 1f;
        return y * Float.intBitsToFloat(((int) n + 127) << 23);
    }

    public static FloatVector exp(FloatVector x) {
        FloatVector c = x.max(MIN_ARG).min(MAX_ARG);
        FloatVector n = c.mul(LOG2E).add(ROUNDER).sub(ROUNDER);
        FloatVector r = n.fma(n.broadcast(-LN2_HI), c);
        r = n.fma(n.broadcast(-LN2_LO), r);
        FloatVector p = r.fma(P0, P1);
        p = p.fma(r, n.broadcast(P2));
        p = p.fma(r, n.broadcast(P3));
        p = p.fma(r, n.broadcast(P4));
        p = p.fma(r, n.broadcast(P5));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        IntVector bits = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        FloatVector result = y.mul(bits.reinterpretAsFloats());
        result = result.blend(0f, x.lt(MIN_ARG)).blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, MAX_ARG));
        return result.blend(x, x.test(VectorOperators.IS_NAN));
    }
}
