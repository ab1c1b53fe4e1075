package dev.canopy.executor.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.gguf.GgufTensorInfo;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuantizerTest {

    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** llama-quantize made stories260K-q8_0.gguf from the f32 file: Q8_0 and F16 tensors must match bit for bit. */
    @Test
    void matchesLlamaCppOnTheStories260kWeights() {
        try (GgufFile f32 = GgufFile.open(TestModels.stories260kF32());
             GgufFile q8 = GgufFile.open(TestModels.stories260kQ8())) {
            int compared = 0;
            for (GgufTensorInfo info : q8.tensorInfos().values()) {
                if (info.type() == GgmlType.F32) {
                    continue;
                }
                float[] values = f32.tensor(info.name()).data().toArray(LE_FLOAT);
                byte[] expected = q8.tensor(info.name()).data().toArray(ValueLayout.JAVA_BYTE);
                assertThat(Quantizer.quantize(info.type(), values)).as(info.name() + " " + info.type()).isEqualTo(expected);
                compared++;
            }
            assertThat(compared).isEqualTo(37); // 32 Q8_0 tensors and 5 F16 ones
        }
    }

    @Test
    void q8_0StoresAmaxOver127AndRoundsHalvesAwayFromZero() {
        float[] x = new float[32];
        x[0] = 127f; // d = 1, so q = round(x)
        x[1] = -2.5f;
        x[2] = 2.5f;
        x[3] = -0.5f;
        x[4] = 0.49999997f;
        x[5] = -126.6f;
        MemorySegment block = MemorySegment.ofArray(Quantizer.quantize(GgmlType.Q8_0, x));

        assertThat(block.byteSize()).isEqualTo(34);
        assertThat(Float.float16ToFloat(block.get(LE_SHORT, 0))).isEqualTo(1f);
        assertThat(block.get(ValueLayout.JAVA_BYTE, 2)).isEqualTo((byte) 127);
        assertThat(block.get(ValueLayout.JAVA_BYTE, 3)).isEqualTo((byte) -3);
        assertThat(block.get(ValueLayout.JAVA_BYTE, 4)).isEqualTo((byte) 3);
        assertThat(block.get(ValueLayout.JAVA_BYTE, 5)).isEqualTo((byte) -1);
        assertThat(block.get(ValueLayout.JAVA_BYTE, 6)).isEqualTo((byte) 0);
        assertThat(block.get(ValueLayout.JAVA_BYTE, 7)).isEqualTo((byte) -127);
        assertThat(block.get(ValueLayout.JAVA_BYTE, 33)).isEqualTo((byte) 0);
    }

    @Test
    void q4_0ScalesByTheSignedMaximumAndPacksElementJWithJPlus16() {
        float[] x = new float[32];
        for (int j = 0; j < 32; j++) {
            x[j] = j - 16; // the largest magnitude is -16, at j = 0: d = -16 / -8 = 2
        }
        MemorySegment block = MemorySegment.ofArray(Quantizer.quantize(GgmlType.Q4_0, x));

        assertThat(block.byteSize()).isEqualTo(18);
        assertThat(Float.float16ToFloat(block.get(LE_SHORT, 0))).isEqualTo(2f);
        for (int j = 0; j < 16; j++) {
            int packed = block.get(ValueLayout.JAVA_BYTE, 2 + j) & 0xff;
            // q = min(15, trunc(x / 2 + 8.5)); x / 2 + 8.5 = j / 2 + 0.5
            assertThat(packed & 0xf).as("element %d", j).isEqualTo(Math.min(15, (int) (j / 2f + 0.5f)));
            assertThat(packed >>> 4).as("element %d", j + 16).isEqualTo(Math.min(15, (int) ((j + 16) / 2f + 0.5f)));
        }
    }

    @Test
    void q4_0ScaleIsNegativeWhenTheLargestMagnitudeIsPositive() {
        float[] x = new float[32];
        x[7] = 4f;
        x[8] = -3f;
        MemorySegment block = MemorySegment.ofArray(Quantizer.quantize(GgmlType.Q4_0, x));
        float d = Float.float16ToFloat(block.get(LE_SHORT, 0));
        assertThat(d).isEqualTo(-0.5f);
        assertThat(q4Nibble(block, 7)).isEqualTo(0); // 4 / -0.5 + 8.5 = 0.5 -> 0, value d * (0 - 8) = 4
        assertThat(q4Nibble(block, 8)).isEqualTo(14); // -3 / -0.5 + 8.5 = 14.5 -> 14, value -3
        assertThat(q4Nibble(block, 0)).isEqualTo(8); // zero
    }

    @Test
    void blocksOfZerosEncodeAsAZeroScale() {
        float[] zeros = new float[64];
        byte[] q8 = Quantizer.quantize(GgmlType.Q8_0, zeros);
        byte[] q4 = Quantizer.quantize(GgmlType.Q4_0, zeros);
        assertThat(q8).containsOnly(0);
        for (int b = 0; b < 2; b++) {
            // As in C, d = 0 / -8 is negative zero.
            assertThat(MemorySegment.ofArray(q4).get(LE_SHORT, b * 18L)).isEqualTo((short) 0x8000);
            for (int j = 0; j < 32; j++) {
                assertThat(q4Nibble(MemorySegment.ofArray(q4).asSlice(b * 18L, 18), j)).isEqualTo(8);
            }
        }
    }

    @Test
    void decodedQuantsStayWithinHalfAStepOfTheInput() {
        Random random = new Random(42);
        float[] x = new float[32 * 64];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * Math.exp(random.nextInt(8) - 4));
        }
        MemorySegment q8 = MemorySegment.ofArray(Quantizer.quantize(GgmlType.Q8_0, x));
        MemorySegment q4 = MemorySegment.ofArray(Quantizer.quantize(GgmlType.Q4_0, x));
        for (int b = 0; b < x.length / 32; b++) {
            MemorySegment q8Block = q8.asSlice(b * 34L, 34);
            MemorySegment q4Block = q4.asSlice(b * 18L, 18);
            float d8 = Float.float16ToFloat(q8Block.get(LE_SHORT, 0));
            float d4 = Float.float16ToFloat(q4Block.get(LE_SHORT, 0));
            for (int j = 0; j < 32; j++) {
                float v = x[b * 32 + j];
                // The fp16 scale is rounded, which can move the largest values by up to 127 (or 8) fp16 ulps.
                assertThat(d8 * q8Block.get(ValueLayout.JAVA_BYTE, 2 + j)).isCloseTo(v, within(Math.abs(d8) * 0.57f));
                assertThat(d4 * (q4Nibble(q4Block, j) - 8)).isCloseTo(v, within(Math.abs(d4) * 1.01f));
            }
        }
    }

    @Test
    void f16AndF32AreLittleEndianIeee() {
        MemorySegment f16 = MemorySegment.ofArray(Quantizer.quantize(GgmlType.F16, new float[] {1f, -2f, 65520f, 1e-8f}));
        assertThat(f16.get(LE_SHORT, 0)).isEqualTo((short) 0x3c00);
        assertThat(f16.get(LE_SHORT, 2)).isEqualTo((short) 0xc000);
        assertThat(f16.get(LE_SHORT, 4)).isEqualTo((short) 0x7c00); // rounds to infinity
        assertThat(f16.get(LE_SHORT, 6)).isEqualTo((short) 0); // underflows to zero
        byte[] f32 = Quantizer.quantize(GgmlType.F32, new float[] {1f});
        assertThat(f32).containsExactly(0, 0, (byte) 0x80, 0x3f);
    }

    @Test
    void bf16RoundsTheTop16BitsToNearestEven() {
        assertThat(Quantizer.toBf16(1f)).isEqualTo((short) 0x3f80);
        assertThat(Quantizer.toBf16(Float.intBitsToFloat(0x3f808000))).as("tie, even below").isEqualTo((short) 0x3f80);
        assertThat(Quantizer.toBf16(Float.intBitsToFloat(0x3f818000))).as("tie, odd below").isEqualTo((short) 0x3f82);
        assertThat(Quantizer.toBf16(Float.intBitsToFloat(0x3f808001))).as("above the tie").isEqualTo((short) 0x3f81);
        assertThat(Quantizer.toBf16(-0f)).isEqualTo((short) 0x8000);
        assertThat(Quantizer.toBf16(Float.intBitsToFloat(0x7f800001))).as("signalling NaN turns quiet")
                .isEqualTo((short) 0x7fc0);
        MemorySegment bf16 = MemorySegment.ofArray(Quantizer.quantize(GgmlType.BF16, new float[] {-2f, 3.140625f}));
        assertThat(bf16.get(LE_SHORT, 0)).isEqualTo((short) 0xc000);
        assertThat(bf16.get(LE_SHORT, 2)).isEqualTo((short) 0x4049);
    }

    @Test
    void writesIntoASegmentAtAnOffset() {
        float[] row = new float[96];
        for (int i = 0; i < row.length; i++) {
            row[i] = (float) Math.sin(i);
        }
        byte[] dst = new byte[10 + 2 * 34];
        Quantizer.quantize(GgmlType.Q8_0, row, 32, 64, MemorySegment.ofArray(dst), 10);
        float[] tail = Arrays.copyOfRange(row, 32, 96);
        assertThat(Arrays.copyOfRange(dst, 10, dst.length)).isEqualTo(Quantizer.quantize(GgmlType.Q8_0, tail));
        assertThat(Arrays.copyOf(dst, 10)).containsOnly(0);
    }

    @Test
    void refusesTypesItCannotEncodeAndPartialBlocks() {
        assertThatThrownBy(() -> Quantizer.quantize(GgmlType.Q3_K, new float[256]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot quantize to Q3_K: supported types are "
                        + "[F32, F16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K, BF16, MXFP4]");
        assertThatThrownBy(() -> Quantizer.quantize(GgmlType.Q8_0, new float[40]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot quantize 40 values to Q8_0: not a multiple of its block size 32");
    }

    /** Element {@code j}'s 4-bit quant in a Q4_0 block: byte j % 16, low nibble for j < 16, high for the rest. */
    private static int q4Nibble(MemorySegment block, int j) {
        int packed = block.get(ValueLayout.JAVA_BYTE, 2 + j % 16) & 0xff;
        return j < 16 ? packed & 0xf : packed >>> 4;
    }
}
