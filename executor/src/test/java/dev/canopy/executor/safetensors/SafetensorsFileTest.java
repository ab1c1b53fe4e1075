package dev.canopy.executor.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.gguf.ModelFormatException;
import dev.canopy.executor.tensor.Dequant;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

    private static final Path NAME = Path.of("model.safetensors");
    private static final String PREFIX = "Cannot load model model.safetensors: ";

    @TempDir
    Path dir;

    private static SafetensorsImage twoTensors() {
        return new SafetensorsImage()
                .add("w", "F32", new long[] {2, 3}, SafetensorsImage.floats(1, 2, 3, 4, 5, 6))
                .add("b", "BF16", new long[] {2}, new byte[] {(byte) 0x80, 0x3F, 0x00, 0x40}); // 1.0, 2.0
    }

    private static SafetensorsFile read(byte[] bytes) {
        return SafetensorsFile.read(NAME, MemorySegment.ofArray(bytes), SafetensorsLimits.DEFAULT);
    }

    private static void assertRefused(byte[] bytes, String problem) {
        assertThatThrownBy(() -> read(bytes)).isInstanceOf(ModelFormatException.class).hasMessage(PREFIX + problem);
    }

    @Test
    void mapsEachTensorAsASliceOfTheFileInGgufDimensionOrder() throws IOException {
        Path file = Files.write(dir.resolve("model.safetensors"), twoTensors().bytes());
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.tensorInfos().keySet()).containsExactly("w", "b");
            assertThat(st.metadata()).containsEntry("format", "pt");
            Tensor w = st.tensor("w");
            assertThat(w.type()).isEqualTo(GgmlType.F32);
            assertThat(w.shape()).containsExactly(3, 2); // [rows, cols] = [2, 3] → innermost first
            assertThat(w.data().isMapped()).isTrue();
            assertThat(Dequant.toFloats(w)).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(Dequant.toFloats(st.tensor("b"))).containsExactly(1, 2);
        }
    }

    @Test
    void refusesAHeaderLengthPastTheFileOrTheCap() {
        SafetensorsImage image = twoTensors();
        assertRefused(SafetensorsImage.withHeaderLength(1L << 40, image.header(), image.data()),
                "header length: expected 2..172 bytes (the cap and what the file holds), found 1099511627776");
        assertRefused(SafetensorsImage.withHeaderLength(-1, image.header(), image.data()),
                "header length: expected 2..172 bytes (the cap and what the file holds), found 18446744073709551615");
        assertRefused(new byte[] {1, 2, 3}, "header length: expected 8 bytes, found a file of 3 bytes; is this a"
                + " safetensors file?");
    }

    @Test
    void refusesALyingShortHeaderLength() {
        SafetensorsImage image = twoTensors();
        assertThatThrownBy(() -> read(SafetensorsImage.withHeaderLength(16, image.header(), image.data())))
                .isInstanceOf(ModelFormatException.class).hasMessageStartingWith(PREFIX + "header: expected JSON, found");
    }

    @Test
    void refusesABlankHeader() {
        assertRefused(SafetensorsImage.bytes("  \r\n  ", new byte[0]),
                "header: expected a JSON object of tensors, found no JSON value (blank header)");
    }

    @Test
    void refusesAnOffsetPastTheEndNamingTheTensor() {
        assertRefused(SafetensorsImage.bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8000]}}",
                new byte[8]), "tensor w: field data_offsets: expected [begin, end] with begin <= end <= 8 (the data"
                        + " section's size), found [0,8000]");
    }

    @Test
    void refusesAnUnknownDtypeNamingTheTensor() {
        assertRefused(SafetensorsImage.bytes("{\"w\":{\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                new byte[8]), "tensor w: field dtype: expected one of [F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32,"
                        + " U16, U8, BOOL, F8_E4M3, F8_E5M2], found \"F33\"");
    }

    @Test
    void refusesAHugeShapeOrOneThatDisagreesWithTheOffsets() {
        assertRefused(SafetensorsImage.bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                + "\"data_offsets\":[0,8]}}", new byte[8]),
                "tensor w: field shape: [4294967296,4294967296] holds more bytes than a file can");
        assertRefused(SafetensorsImage.bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
                new byte[8]), "tensor w: field data_offsets: shape [3] of F32 needs 12 bytes, but the offsets span 8");
        assertRefused(SafetensorsImage.bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
                new byte[8]), "tensor w: field shape[0]: expected a non-negative integer, found -2");
    }

    @Test
    void refusesOverlappingTensorsAndHoles() {
        assertRefused(SafetensorsImage.bytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]),
                "tensor b: field data_offsets: its bytes [4, 12) overlap tensor a, which ends at 8");
        assertRefused(SafetensorsImage.bytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                new byte[8]), "tensor a: field data_offsets: expected it to start at 0 (where the data section starts),"
                        + " found 4; safetensors data has no holes");
        assertRefused(SafetensorsImage.bytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                new byte[8]), "data section: the tensors cover 4 bytes, but the file holds 8 after the header; it is"
                        + " truncated or has trailing bytes");
    }

    @Test
    void refusesDuplicateNamesAndStrayFields() {
        assertThatThrownBy(() -> read(SafetensorsImage.bytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":"
                + "[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4])))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("Duplicate field 'a'");
        assertRefused(SafetensorsImage.bytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}",
                new byte[4]), "tensor a: expected exactly the fields dtype, shape and data_offsets, found"
                        + " {\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}");
    }

    @Test
    void refusesToComputeWithIntegerTensorsNamingTheDtype() {
        SafetensorsFile st = read(new SafetensorsImage().add("ids", "I32", new long[] {1}, new byte[4]).bytes());
        assertThatThrownBy(() -> st.tensor("ids")).isInstanceOf(ModelFormatException.class)
                .hasMessage(PREFIX + "tensor ids: field dtype: expected F32, F16 or BF16 for model weights, found I32");
        assertThatThrownBy(() -> st.tensor("nope")).hasMessage(PREFIX + "missing tensor nope");
    }
}
