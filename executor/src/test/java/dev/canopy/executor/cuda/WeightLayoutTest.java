package dev.canopy.executor.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.tensor.Dequant;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Quantizer;
import dev.canopy.executor.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** The GPU image of a weight holds the file's values, where the kernels look for them. */
class WeightLayoutTest {

    private static final int ROWS = 5;
    private static final int COLS = 96;

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0"})
    void splitBlocksDecodeToTheSameValuesAsTheFile(GgmlType type) {
        Tensor t = tensor(type, ROWS, COLS, 7);
        WeightLayout layout = WeightLayout.of(t);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment image = arena.allocate(layout.bytes());
            layout.writeImage(t, image);
            float[] expected = Dequant.toFloats(t);
            for (int r = 0; r < ROWS; r++) {
                for (int c = 0; c < COLS; c++) {
                    assertThat(kernelValue(layout, image, r, c)).as("row %d col %d", r, c)
                            .isEqualTo(expected[r * COLS + c]);
                }
            }
        }
    }

    @Test
    void scalesStartAtA256ByteBoundaryAfterTheQuants() {
        WeightLayout q8 = WeightLayout.of(tensor(GgmlType.Q8_0, ROWS, COLS, 1));
        WeightLayout q4 = WeightLayout.of(tensor(GgmlType.Q4_0, ROWS, COLS, 1));
        assertThat(q8.scalesOffset()).isEqualTo(512); // 480 quant bytes
        assertThat(q8.bytes()).isEqualTo(512 + 2 * ROWS * COLS / 32);
        assertThat(q4.scalesOffset()).isEqualTo(256); // 240 quant bytes
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16"})
    void floatTypesKeepTheFileBytes(GgmlType type) {
        Tensor t = tensor(type, ROWS, COLS, 3);
        WeightLayout layout = WeightLayout.of(t);
        assertThat(layout.asInFile()).isTrue();
        assertThat(layout.bytes()).isEqualTo(t.data().byteSize());
        assertThat(layout.rows()).isEqualTo(ROWS);
        assertThat(layout.cols()).isEqualTo(COLS);
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_K", "Q5_K"})
    void q4kAndQ5kSuperBlocksKeepTheFileBytes(GgmlType type) {
        Tensor t = tensor(type, ROWS, 512, 4);
        WeightLayout layout = WeightLayout.of(t);
        assertThat(layout.asInFile()).isTrue();
        assertThat(layout.bytes()).isEqualTo(t.data().byteSize()).isEqualTo(ROWS * 2L * type.bytesPerBlock());
        assertThat(type.bytesPerBlock() % 16).as("every super-block starts 16-byte aligned").isZero();
    }

    @Test
    void q6kSuperBlocksArePaddedTo224BytesEach() {
        Tensor t = tensor(GgmlType.Q6_K, ROWS, 512, 6);
        WeightLayout layout = WeightLayout.of(t);
        assertThat(layout.asInFile()).isFalse();
        assertThat(layout.bytes()).isEqualTo(ROWS * 2L * 224);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment image = arena.allocate(layout.bytes());
            image.fill((byte) 0x5A); // the padding must be written, not left as found
            layout.writeImage(t, image);
            for (int b = 0; b < ROWS * 2; b++) {
                assertThat(image.asSlice(b * 224L, 210).toArray(ValueLayout.JAVA_BYTE)).as("super-block %d", b)
                        .containsExactly(t.data().asSlice(b * 210L, 210).toArray(ValueLayout.JAVA_BYTE));
                assertThat(image.asSlice(b * 224L + 210, 14).toArray(ValueLayout.JAVA_BYTE)).as("padding %d", b)
                        .containsOnly((byte) 0);
            }
        }
    }

    @Test
    void aTypeWithoutKernelsIsRefusedNamingTheTensor() {
        Tensor t = new Tensor("blk.0.ffn_down.weight", GgmlType.Q5_0, new long[] {64, 2},
                MemorySegment.ofArray(new byte[2 * 2 * 22]));
        assertThatThrownBy(() -> WeightLayout.of(t)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot load tensor blk.0.ffn_down.weight onto the GPU: type Q5_0 has no CUDA kernel "
                        + "(supported: [F32, F16, Q4_0, Q8_0, Q4_K, Q5_K, Q6_K, BF16])");
    }

    /** What weights.cuh's value(row, col) reads from the image. */
    private static float kernelValue(WeightLayout layout, MemorySegment image, int row, int col) {
        int cols = layout.cols();
        short bits = image.get(ValueLayout.JAVA_SHORT_UNALIGNED, layout.scalesOffset()
                + 2L * ((long) row * (cols / 32) + col / 32));
        float d = Float.float16ToFloat(bits);
        if (layout.type() == GgmlType.Q8_0) {
            return d * image.get(ValueLayout.JAVA_BYTE, (long) row * cols + col);
        }
        int b = image.get(ValueLayout.JAVA_BYTE, ((long) row * cols + (col & ~31)) / 2 + (col & 15)) & 0xFF;
        int q = (col & 16) != 0 ? b >>> 4 : b & 0x0F;
        return d * (q - 8);
    }

    static Tensor tensor(GgmlType type, int rows, int cols, long seed) {
        Random random = new Random(seed);
        float[] values = new float[rows * cols]; // (rows, cols)
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat() * 2 - 1;
        }
        byte[] bytes = Quantizer.quantize(type, values);
        MemorySegment data = Arena.ofAuto().allocate(bytes.length, 64);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, data, 0, bytes.length);
        return new Tensor("test." + type, type, new long[] {cols, rows}, data);
    }
}
