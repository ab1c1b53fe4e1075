package dev.canopy.executor.kv;

/**
 * 8-bit symmetric quantization of token rows ({@link KvCacheType#Q8}): each group of {@value KvCacheType#GROUP}
 * channels of a row gets the scale {@code max|x| / 127}, each channel the code {@code round(x / scale)}.
 */
final class Q8Rows {

    private Q8Rows() {}

    /**
     * Quantizes the row {@code x[xOff .. xOff + n)}.
     *
     * @param codes  out: (n) codes from {@code codeOff}
     * @param scales out: (groups(n)) scales from {@code scaleOff}
     */
    static void quantize(float[] x, int xOff, int n, byte[] codes, int codeOff, float[] scales, int scaleOff) {
        for (int from = 0, g = 0; from < n; from += KvCacheType.GROUP, g++) {
            int to = Math.min(n, from + KvCacheType.GROUP);
            float amax = 0f;
            for (int i = from; i < to; i++) {
                amax = Math.max(amax, Math.abs(x[xOff + i]));
            }
            float scale = amax / 127f;
            float inv = scale == 0f ? 0f : 1f / scale;
            for (int i = from; i < to; i++) {
                codes[codeOff + i] = (byte) Math.round(x[xOff + i] * inv);
            }
            scales[scaleOff + g] = scale;
        }
    }

    /**
     * Dequantizes channels {@code [from, from + n)} of a row quantized by {@link #quantize}.
     *
     * @param codes    the row's codes from {@code codeOff} (channel 0)
     * @param scales   the row's scales from {@code scaleOff} (group 0)
     * @param out      out: (n) floats from {@code outOff}
     */
    static void dequantize(byte[] codes, int codeOff, float[] scales, int scaleOff, int from, int n, float[] out,
                           int outOff) {
        for (int i = 0; i < n; i++) {
            int c = from + i;
            out[outOff + i] = codes[codeOff + c] * scales[scaleOff + c / KvCacheType.GROUP];
        }
    }
}
