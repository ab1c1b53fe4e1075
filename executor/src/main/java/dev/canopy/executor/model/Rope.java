package dev.canopy.executor.model;

/**
 * Rotary position embedding. Rotates the first {@code ropeDim} elements of every head of a row by
 * angles {@code position × freq_i}, with {@code freq_i = theta^(-2i/ropeDim) / factor_i}.
 */
final class Rope {

    private final int headDim;
    private final int ropeDim;
    private final RopeStyle style;
    private final float[] freqs; // (ropeDim / 2)

    Rope(ModelConfig c, float[] freqFactors) {
        this(c, c.ropeTheta(), freqFactors);
    }

    /** A rope with base {@code theta} in place of the config's (the local layers of a sliding-window model). */
    Rope(ModelConfig c, float theta, float[] freqFactors) {
        this.headDim = c.headDim();
        this.ropeDim = c.ropeDim();
        this.style = c.ropeStyle();
        this.freqs = new float[ropeDim / 2];
        for (int i = 0; i < freqs.length; i++) {
            float f = (float) (1.0 / Math.pow(theta, (2.0 * i) / ropeDim));
            freqs[i] = freqFactors == null ? f : f / freqFactors[i];
        }
    }

    /** The cos/sin of each frequency at {@code position}, into {@code cs[csOff ..]} as (cos, sin) pairs: (ropeDim). */
    void angles(int position, float[] cs, int csOff) {
        for (int i = 0; i < freqs.length; i++) {
            float a = position * freqs[i];
            cs[csOff + 2 * i] = (float) Math.cos(a);
            cs[csOff + 2 * i + 1] = (float) Math.sin(a);
        }
    }

    /** Rotates {@code nHeads} heads stored at {@code x[off ..]} with the angles at {@code cs[csOff ..]}. */
    void apply(float[] x, int off, int nHeads, float[] cs, int csOff) {
        int half = ropeDim / 2;
        for (int h = 0; h < nHeads; h++) {
            int base = off + h * headDim;
            for (int i = 0; i < half; i++) {
                int i0 = style == RopeStyle.NORMAL ? base + 2 * i : base + i;
                int i1 = style == RopeStyle.NORMAL ? i0 + 1 : i0 + half;
                float c = cs[csOff + 2 * i];
                float s = cs[csOff + 2 * i + 1];
                float v0 = x[i0];
                float v1 = x[i1];
                x[i0] = v0 * c - v1 * s;
                x[i1] = v0 * s + v1 * c;
            }
        }
    }
}
