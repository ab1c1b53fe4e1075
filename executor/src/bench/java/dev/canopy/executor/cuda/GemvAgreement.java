package dev.canopy.executor.cuda;

/**
 * How a GEMV variant's outputs compare with the baseline's.
 *
 * @param sameBits      every output has the baseline's bits
 * @param nonFinite     outputs that are NaN or infinite where the baseline's is finite (e.g. never written)
 * @param relativeError max |y - baseline| / max |baseline| over the finite outputs
 */
record GemvAgreement(boolean sameBits, int nonFinite, double relativeError) {

    /** Compares {@code y} with {@code baseline} (both (rows) floats). */
    static GemvAgreement of(float[] baseline, float[] y) {
        if (baseline.length != y.length) {
            throw new IllegalArgumentException("Cannot compare GEMV outputs: " + y.length + " outputs against "
                    + baseline.length + " of the baseline");
        }
        boolean same = true;
        int nonFinite = 0;
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < y.length; i++) {
            same &= Float.floatToRawIntBits(y[i]) == Float.floatToRawIntBits(baseline[i]);
            scale = Math.max(scale, Math.abs(baseline[i]));
            if (!Float.isFinite(y[i]) && Float.isFinite(baseline[i])) {
                nonFinite++;
            } else if (Float.isFinite(y[i])) {
                worst = Math.max(worst, Math.abs(y[i] - baseline[i]));
            }
        }
        return new GemvAgreement(same, nonFinite, scale > 0 ? worst / scale : worst);
    }

    /** {@code same bits}, {@code 3.1e-07}, or {@code 12 outputs NaN or infinite, ...}. */
    String describe() {
        if (sameBits) {
            return "same bits";
        }
        String error = String.format("%.1e", relativeError);
        return nonFinite > 0 ? nonFinite + " outputs NaN or infinite; others " + error : error;
    }
}
