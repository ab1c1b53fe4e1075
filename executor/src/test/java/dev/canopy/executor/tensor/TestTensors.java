package dev.canopy.executor.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/**
 * Builds weight tensors for kernel tests: random values encoded in a given type (the encoders follow
 * llama.cpp's quantize_row_*_reference), stored off-heap at a deliberately odd address, as slices of
 * a memory-mapped file usually are.
 */
final class TestTensors {

    private TestTensors() {}

    /** Uniform random values in [-1, 1) with a few larger outliers, like real weights. */
    static float[] randomValues(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextFloat() * 2 - 1;
            if (random.nextInt(50) == 0) {
                v[i] *= 4;
            }
        }
        return v;
    }

    /** A rows × cols matrix of {@code values} (row-major) encoded as {@code type}. */
    static Tensor matrix(GgmlType type, int rows, int cols, float[] values) {
        byte[] bytes = encode(type, values, rows, cols);
        MemorySegment block = Arena.ofAuto().allocate(bytes.length + 16L, 64);
        MemorySegment data = block.asSlice(5, bytes.length); // misaligned on purpose
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, data, 0, bytes.length);
        return new Tensor("test." + type, type, new long[] {cols, rows}, data);
    }

    static Tensor randomMatrix(GgmlType type, int rows, int cols, long seed) {
        return matrix(type, rows, cols, randomValues(new Random(seed), rows * cols));
    }

    static byte[] encode(GgmlType type, float[] values, int rows, int cols) {
        MemorySegment out = MemorySegment.ofArray(new byte[(int) type.byteSize((long) rows * cols)]);
        long rowBytes = type.byteSize(cols);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c += type.blockSize()) {
                long at = r * rowBytes + c / type.blockSize() * type.bytesPerBlock();
                encodeBlock(type, values, r * cols + c, out, at);
            }
        }
        return out.toArray(ValueLayout.JAVA_BYTE);
    }

    private static void encodeBlock(GgmlType type, float[] v, int from, MemorySegment out, long at) {
        switch (type) {
            case F32 -> out.set(Dequant.FLOAT_LE, at, v[from]);
            case F16 -> out.set(Dequant.SHORT_LE, at, Float.floatToFloat16(v[from]));
            case BF16 -> out.set(Dequant.SHORT_LE, at, (short) (Float.floatToRawIntBits(v[from]) >>> 16));
            case Q8_0 -> {
                float amax = 0;
                for (int j = 0; j < 32; j++) {
                    amax = Math.max(amax, Math.abs(v[from + j]));
                }
                float d = amax / 127;
                float id = d != 0 ? 1 / d : 0;
                out.set(Dequant.SHORT_LE, at, Float.floatToFloat16(d));
                for (int j = 0; j < 32; j++) {
                    out.set(ValueLayout.JAVA_BYTE, at + 2 + j, (byte) Math.round(v[from + j] * id));
                }
            }
            case Q4_0 -> {
                float max = 0;
                for (int j = 0; j < 32; j++) {
                    if (Math.abs(v[from + j]) > Math.abs(max)) {
                        max = v[from + j];
                    }
                }
                float d = max / -8;
                float id = d != 0 ? 1 / d : 0;
                out.set(Dequant.SHORT_LE, at, Float.floatToFloat16(d));
                for (int j = 0; j < 16; j++) {
                    int lo = Math.min(15, (int) (v[from + j] * id + 8.5f));
                    int hi = Math.min(15, (int) (v[from + j + 16] * id + 8.5f));
                    out.set(ValueLayout.JAVA_BYTE, at + 2 + j, (byte) (lo | hi << 4));
                }
            }
            default -> throw new IllegalArgumentException("Cannot encode test values as " + type);
        }
    }
}
