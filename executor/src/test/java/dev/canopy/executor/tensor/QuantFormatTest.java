package dev.canopy.executor.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The block formats against their definitions: each test draws the logical fields of a block (scales,
 * mins, levels), packs them into bytes following ggml's struct as this test spells it out, and checks
 * that {@link Dequant} gives exactly the value the format defines for every element. Then the fast
 * decoders must give the same bits as {@link Dequant} on random bytes.
 */
class QuantFormatTest {

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private final Random random = new Random(42);

    @Test
    void q4_1IsScaleTimesLevelPlusMin() {
        byte[] bytes = new byte[20];
        short d = half(0.37f), m = half(-1.5f);
        int[] q = levels(32, 16);
        put(bytes, 0, d);
        put(bytes, 2, m);
        for (int j = 0; j < 16; j++) {
            bytes[4 + j] = (byte) (q[j] | q[j + 16] << 4);
        }
        float[] expected = new float[32];
        for (int i = 0; i < 32; i++) {
            expected[i] = q[i] * f(d) + f(m);
        }
        assertThat(decode(GgmlType.Q4_1, bytes, 32)).containsExactly(expected);
    }

    @Test
    void q5_0AndQ5_1TakeTheFifthBitFromQh() {
        int[] q = levels(32, 32);
        int qh = 0;
        byte[] nibbles = new byte[16];
        for (int j = 0; j < 16; j++) {
            nibbles[j] = (byte) (q[j] & 15 | (q[j + 16] & 15) << 4);
        }
        for (int i = 0; i < 32; i++) {
            qh |= (q[i] >> 4) << i;
        }
        short d = half(-0.021f), m = half(0.75f);
        byte[] q50 = new byte[22];
        put(q50, 0, d);
        putInt(q50, 2, qh);
        System.arraycopy(nibbles, 0, q50, 6, 16);
        byte[] q51 = new byte[24];
        put(q51, 0, d);
        put(q51, 2, m);
        putInt(q51, 4, qh);
        System.arraycopy(nibbles, 0, q51, 8, 16);
        float[] expected0 = new float[32];
        float[] expected1 = new float[32];
        for (int i = 0; i < 32; i++) {
            expected0[i] = (q[i] - 16) * f(d);
            expected1[i] = q[i] * f(d) + f(m);
        }
        assertThat(decode(GgmlType.Q5_0, q50, 32)).containsExactly(expected0);
        assertThat(decode(GgmlType.Q5_1, q51, 32)).containsExactly(expected1);
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_K", "Q5_K"})
    void q4KAndQ5KApplyEachSubBlocksSixBitScaleAndMin(GgmlType type) {
        int bits = type == GgmlType.Q4_K ? 4 : 5;
        int[] sc = levels(8, 64);
        int[] mn = levels(8, 64);
        sc[5] = 63; // high bits set in the packed upper half
        mn[6] = 48;
        int[] q = levels(256, 1 << bits);
        short d = half(0.0123f), dmin = half(0.0456f);
        byte[] bytes = new byte[type.bytesPerBlock()];
        put(bytes, 0, d);
        put(bytes, 2, dmin);
        for (int j = 0; j < 8; j++) { // the 12-byte packing of get_scale_min_k4
            if (j < 4) {
                bytes[4 + j] = (byte) sc[j];
                bytes[4 + j + 4] = (byte) mn[j];
            } else {
                bytes[4 + j + 4] = (byte) (sc[j] & 15 | (mn[j] & 15) << 4);
                bytes[4 + j - 4] |= (byte) ((sc[j] >> 4) << 6);
                bytes[4 + j] |= (byte) ((mn[j] >> 4) << 6);
            }
        }
        int qs = bits == 4 ? 16 : 48;
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l++) {
                int lo = q[64 * c + l], hi = q[64 * c + 32 + l];
                bytes[qs + 32 * c + l] = (byte) (lo & 15 | (hi & 15) << 4);
                if (bits == 5) {
                    bytes[16 + l] |= (byte) ((lo >> 4) << 2 * c | (hi >> 4) << 2 * c + 1);
                }
            }
        }
        float[] expected = new float[256];
        for (int i = 0; i < 256; i++) {
            expected[i] = f(d) * sc[i / 32] * q[i] - f(dmin) * mn[i / 32];
        }
        assertThat(decode(type, bytes, 256)).containsExactly(expected);
    }

    @Test
    void q6KAppliesEachSixteenValuesSignedScale() {
        int[] q = levels(256, 64);
        int[] sc = new int[16];
        for (int g = 0; g < 16; g++) {
            sc[g] = random.nextInt(256) - 128;
        }
        short d = half(-0.0031f);
        byte[] bytes = new byte[210];
        for (int i = 0; i < 256; i++) { // ql: two 64-byte halves; qh: two 32-byte halves
            int h = i / 128, r = i % 128, l = r % 32, k = r / 32;
            int ql = 64 * h + l + 32 * (k & 1);
            bytes[ql] |= (byte) ((q[i] & 15) << (k < 2 ? 0 : 4));
            bytes[128 + 32 * h + l] |= (byte) ((q[i] >> 4) << 2 * k);
        }
        for (int g = 0; g < 16; g++) {
            bytes[192 + g] = (byte) sc[g];
        }
        put(bytes, 208, d);
        float[] expected = new float[256];
        for (int i = 0; i < 256; i++) {
            expected[i] = f(d) * sc[i / 16] * (q[i] - 32);
        }
        assertThat(decode(GgmlType.Q6_K, bytes, 256)).containsExactly(expected);
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K", "Q8_0", "Q4_0", "MXFP4"})
    void theVectorDecoderGivesTheReferenceBitsOnRandomBlocks(GgmlType type) {
        int rows = 7;
        int cols = type.blockSize() * 3;
        byte[] bytes = new byte[(int) type.byteSize((long) rows * cols)];
        random.nextBytes(bytes);
        keepHalvesFinite(type, bytes);
        MemorySegment data = MemorySegment.ofArray(bytes);
        Tensor t = new Tensor("random", type, new long[] {cols, rows}, data);
        float[] reference = new float[cols];
        float[] fast = new float[cols + 3];
        for (int r = 0; r < rows; r++) {
            Dequant.row(t, r, reference, 0);
            RowDecoder.decode(t, r, fast, 3);
            for (int c = 0; c < cols; c++) {
                assertThat(Float.floatToRawIntBits(fast[3 + c])).as("%s row %d col %d", type, r, c)
                        .isEqualTo(Float.floatToRawIntBits(reference[c]));
            }
        }
    }

    /** Clears the top exponent bit of every fp16 field, so no scale is infinite or NaN. */
    private static void keepHalvesFinite(GgmlType type, byte[] bytes) {
        int[] halfOffsets = switch (type) {
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q6_K -> new int[] {208};
            default -> new int[] {0};
        };
        for (int blk = 0; blk < bytes.length; blk += type.bytesPerBlock()) {
            for (int off : halfOffsets) {
                bytes[blk + off + 1] &= (byte) 0xBF;
            }
        }
    }

    private int[] levels(int n, int bound) {
        int[] q = new int[n];
        for (int i = 0; i < n; i++) {
            q[i] = random.nextInt(bound);
        }
        q[0] = bound - 1;
        return q;
    }

    private static float[] decode(GgmlType type, byte[] bytes, int cols) {
        Tensor t = new Tensor("block", type, new long[] {cols}, MemorySegment.ofArray(bytes));
        return Dequant.toFloats(t);
    }

    private static short half(float v) {
        return Float.floatToFloat16(v);
    }

    private static float f(short h) {
        return Float.float16ToFloat(h);
    }

    private static void put(byte[] b, int at, short v) {
        MemorySegment.ofArray(b).set(SHORT, at, v);
    }

    private static void putInt(byte[] b, int at, int v) {
        MemorySegment.ofArray(b).set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at, v);
    }
}
