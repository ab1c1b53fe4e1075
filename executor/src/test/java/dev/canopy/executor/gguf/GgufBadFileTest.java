package dev.canopy.executor.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.tensor.GgmlType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every way a GGUF file can be wrong that the reader detects, each with the message it gives. */
class GgufBadFileTest {

    private static final int F32 = GgmlType.F32.id();
    /**
     * Most bytes one failed open may allocate, assertions included: a hostile file cannot make the
     * reader allocate for what it only claims. (A full parse of stories260K's header allocates about
     * 340 KiB once the reader's classes are loaded; see {@link #loadTheReader()}.)
     */
    private static final long MAX_ALLOCATED_BYTES = 1L << 20;

    @TempDir
    Path dir;

    /** Loads the reader's classes (and the exception path's) first, so that allocation counts exclude class loading. */
    @BeforeAll
    static void loadTheReader() {
        GgufFile.open(TestModels.stories260kF32()).close();
        assertThatThrownBy(() -> GgufFile.read(Path.of("empty"), MemorySegment.ofArray(new byte[8]), GgufLimits.DEFAULT))
                .isInstanceOf(ModelFormatException.class);
    }

    // ---- whole-file problems

    @Test
    void emptyFile() throws IOException {
        Path file = Files.write(dir.resolve("empty.gguf"), new byte[0]);
        assertOpenFails(file, "not a GGUF file: expected the magic \"GGUF\", but the file has only 0 bytes");
    }

    @Test
    void nonexistentFile() {
        assertOpenFails(dir.resolve("missing.gguf"), "file does not exist");
    }

    @Test
    void directoryInsteadOfAFile() {
        assertThatThrownBy(() -> GgufFile.open(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith("Cannot load model " + dir + ": cannot read the file: ");
    }

    @Test
    void badMagic() {
        GgufBytes b = new GgufBytes().u32(0x4c4d4747).u32(3).u64(0).u64(0); // "GGML"
        assertFails(b, "not a GGUF file: expected the magic \"GGUF\" (0x46554747), found 0x4c4d4747");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4, -1})
    void unsupportedVersion(int version) {
        Path file = validFile();
        patchU32(file, 4, version);
        assertOpenFails(file, "unsupported GGUF version " + Integer.toUnsignedString(version) + "; expected 2 or 3");
    }

    @Test
    void bigEndianFile() {
        Path file = validFile();
        patchU32(file, 4, Integer.reverseBytes(3));
        assertOpenFails(file, "unsupported GGUF version 50331648; expected 2 or 3 (this looks like a big-endian GGUF "
                + "file, which Canopy cannot read)");
    }

    // ---- truncation

    @Test
    void truncatedInTheHeader() {
        GgufBytes b = new GgufBytes().u32(GgufFile.MAGIC).u32(3).u32(1);
        assertFails(b, "file is truncated: reading tensor count needs 8 bytes at offset 8, but the file has 12 bytes");
    }

    @Test
    void truncatedInAMetadataKey() {
        GgufBytes b = GgufBytes.header(3, 0, 1).u64(20);
        byte[] start = "general".getBytes(StandardCharsets.US_ASCII);
        for (byte c : start) {
            b.u8(c);
        }
        assertFails(b, "file is truncated: reading metadata key #0 needs 20 bytes at offset 32, but the file has 39 bytes");
    }

    @Test
    void truncatedInAMetadataStringValue() {
        GgufBytes b = GgufBytes.header(3, 0, 1).key("k", GgufValueType.STRING).u64(10).u8('a');
        assertFails(b, "file is truncated: reading value of key k needs 10 bytes at offset 45, but the file has 46 bytes");
    }

    @Test
    void truncatedInAnArray() {
        GgufBytes b = GgufBytes.header(3, 0, 1).key("k", GgufValueType.ARRAY).u32(GgufValueType.INT32.id()).u64(3).u32(1);
        assertFails(b, "file is truncated: reading array k of 3 INT32 elements needs 12 bytes at offset 49, but the file "
                + "has 53 bytes");
    }

    @Test
    void truncatedInTheTensorTable() {
        GgufBytes b = GgufBytes.header(3, 1, 0).string("t").u32(1);
        assertFails(b, "file is truncated: reading dimension 0 of tensor t needs 8 bytes at offset 37, but the file has 37 bytes");
    }

    @Test
    void truncatedInTheTensorData() {
        GgufBytes b = GgufBytes.header(3, 1, 0).tensorInfo("t", F32, 0, 4).padTo(32).zeros(8);
        assertFails(b, "tensor t (F32, 16 bytes at data offset 0) extends past the end of the file: "
                + "the data section has 8 bytes (file truncated?)");
    }

    @Test
    void truncatedBeforeTheDataSection() {
        GgufBytes b = GgufBytes.header(3, 1, 0).tensorInfo("t", F32, 0, 4);
        assertFails(b, "tensor t (F32, 16 bytes at data offset 0) extends past the end of the file: "
                + "the data section has 0 bytes (file truncated?)");
    }

    @Test
    void stories260kCutAtEvery4096thByteFailsWithAModelFormatException() throws IOException {
        Path file = dir.resolve("cut.gguf");
        Files.copy(TestModels.stories260kF32(), file);
        long size = Files.size(file);
        int checked = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            for (long cut = (size - 1) / 4096 * 4096; cut >= 0; cut -= 4096) {
                ch.truncate(cut);
                long at = cut;
                assertThatThrownBy(() -> GgufFile.open(file)).as("cut at %d", at)
                        .isInstanceOf(ModelFormatException.class)
                        .hasMessageStartingWith("Cannot load model " + file + ": ");
                checked++;
            }
        }
        assertThat(checked).isEqualTo(290);
    }

    @Test
    void stories260kCutAtEvery64thByteFailsWithAModelFormatExceptionAndAllocatesLittle() throws IOException {
        byte[] whole = Files.readAllBytes(TestModels.stories260kF32());
        MemorySegment file = MemorySegment.ofArray(whole);
        Path name = Path.of("stories260K-f32.gguf");
        long fullParse = allocatedBy(() -> GgufFile.read(name, file, GgufLimits.DEFAULT).close());
        long mostAllocated = 0;
        int checked = 0;
        for (long cut = 0; cut < whole.length; cut += 64) {
            MemorySegment truncated = file.asSlice(0, cut);
            long at = cut;
            long allocated = allocatedBy(() -> assertThatThrownBy(() -> GgufFile.read(name, truncated, GgufLimits.DEFAULT))
                    .as("cut at %d", at).isInstanceOf(ModelFormatException.class)
                    .hasMessageStartingWith("Cannot load model " + name + ": "));
            mostAllocated = Math.max(mostAllocated, allocated);
            checked++;
        }
        assertThat(checked).isEqualTo(18_522);
        assertThat(mostAllocated).as("bytes allocated by the worst truncated open (a full parse: %d)", fullParse)
                .isLessThan(MAX_ALLOCATED_BYTES);
    }

    @Test
    void aShortFileCannotMakeTheReaderAllocateForElementsItDoesNotHold() {
        // 16M INT64 elements would be a 128 MiB array; the file holds none of them.
        GgufBytes b = GgufBytes.header(3, 0, 1).key("k", GgufValueType.ARRAY).u32(GgufValueType.INT64.id())
                .u64(16L << 20).u64(7);
        assertFails(b, "file is truncated: reading array k of 16777216 INT64 elements needs 134217728 bytes at offset 49, "
                + "but the file has 57 bytes");
        GgufBytes strings = GgufBytes.header(3, 0, 1).key("k", GgufValueType.ARRAY).u32(GgufValueType.STRING.id())
                .u64(16L << 20);
        assertFails(strings, "file is truncated: reading array k of 16777216 STRING elements needs 134217728 bytes at "
                + "offset 49, but the file has 49 bytes");
    }

    // ---- lying lengths and counts

    @Test
    void stringLengthPastTheEndOfTheFile() {
        GgufBytes b = GgufBytes.header(3, 0, 1).u64(1000).u32(0);
        assertFails(b, "file is truncated: reading metadata key #0 needs 1000 bytes at offset 32, but the file has 36 bytes");
    }

    @ParameterizedTest
    @ValueSource(longs = {Long.MAX_VALUE, Long.MIN_VALUE, -1L})
    void stringLengthNear2To64(long length) {
        GgufBytes b = GgufBytes.header(3, 0, 1).u64(length);
        assertFails(b, "length of metadata key #0 is " + Long.toUnsignedString(length)
                + " bytes, above the limit of 16777216");
    }

    @Test
    void tensorCountNear2To63() {
        assertFails(GgufBytes.header(3, Long.MAX_VALUE, 0), "tensor count is 9223372036854775807, above the limit of 1048576");
    }

    @Test
    void metadataCountNear2To64() {
        assertFails(GgufBytes.header(3, 0, -1L), "metadata entry count is 18446744073709551615, above the limit of 65536");
    }

    @Test
    void metadataCountLargerThanTheFile() {
        assertFails(GgufBytes.header(3, 0, 60_000),
                "file is truncated: reading length of metadata key #0 needs 8 bytes at offset 24, but the file has 24 bytes");
    }

    @Test
    void arrayLengthNear2To62() {
        GgufBytes b = GgufBytes.header(3, 0, 1).key("k", GgufValueType.ARRAY).u32(GgufValueType.UINT8.id()).u64(1L << 62);
        assertFails(b, "length of array k is 4611686018427387904, above the limit of 16777216");
    }

    @Test
    void headerLargerThanTheHeapLimit() {
        GgufBytes b = GgufBytes.header(3, 0, 1).key("k", GgufValueType.ARRAY).u32(GgufValueType.INT64.id()).u64(1000)
                .zeros(8000);
        Path file = b.writeTo(dir.resolve("big-header.gguf"));
        GgufLimits small = new GgufLimits(1 << 10, 1 << 20, 100, 100, 4, 4096);
        assertThatThrownBy(() -> GgufFile.open(file, small)).isInstanceOf(ModelFormatException.class)
                .hasMessage("Cannot load model " + file + ": header too large: array k brings it past the limit of 4096 bytes");
    }

    // ---- bad tensor table entries

    @Test
    void tensorOffsetPastTheEnd() {
        GgufBytes b = GgufBytes.header(3, 1, 0).tensorInfo("t", F32, 1024, 4).padTo(32).zeros(64);
        assertFails(b, "tensor t (F32, 16 bytes at data offset 1024) extends past the end of the file: "
                + "the data section has 64 bytes (file truncated?)");
    }

    @Test
    void tensorOffsetNear2To63() {
        GgufBytes b = GgufBytes.header(3, 1, 0).tensorInfo("t", F32, Long.MAX_VALUE - 31, 4).padTo(32).zeros(64);
        assertFails(b, "tensor t (F32, 16 bytes at data offset 9223372036854775776) extends past the end of the file: "
                + "the data section has 64 bytes (file truncated?)");
    }

    @Test
    void tensorOffsetNotAligned() {
        GgufBytes b = GgufBytes.header(3, 1, 0).tensorInfo("t", F32, 4, 4).padTo(32).zeros(64);
        assertFails(b, "tensor t has data offset 4; expected a non-negative multiple of the alignment 32");
    }

    @Test
    void overlappingTensors() {
        GgufBytes b = GgufBytes.header(3, 2, 0).tensorInfo("a", F32, 0, 16).tensorInfo("b", F32, 32, 4)
                .padTo(32).zeros(128);
        assertFails(b, "tensors a and b overlap");
    }

    @Test
    void dimensionsWhoseProductOverflows() {
        GgufBytes b = GgufBytes.header(3, 1, 0).tensorInfo("t", F32, 0, 1L << 32, 1L << 32);
        assertFails(b, "tensor t has dimensions whose product overflows 64 bits");
    }

    @Test
    void byteSizeThatOverflows() {
        GgufBytes b = GgufBytes.header(3, 1, 0).tensorInfo("t", F32, 0, 1L << 62);
        assertFails(b, "tensor t byte size overflows 64 bits");
    }

    @Test
    void zeroDimension() {
        GgufBytes b = GgufBytes.header(3, 1, 0).tensorInfo("t", F32, 0, 4, 0);
        assertFails(b, "tensor t dimension 1 is 0; expected a positive size below 2^63");
    }

    @Test
    void dimensionAbove2To63() {
        GgufBytes b = GgufBytes.header(3, 1, 0).tensorInfo("t", F32, 0, -4L);
        assertFails(b, "tensor t dimension 0 is 18446744073709551612; expected a positive size below 2^63");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 5})
    void dimensionCountOutOfRange(int dims) {
        GgufBytes b = GgufBytes.header(3, 1, 0).tensorInfo("t", F32, 0, new long[dims]);
        assertFails(b, "tensor t has " + dims + " dimensions; expected 1 to 4");
    }

    @Test
    void rowNotAMultipleOfTheBlockSize() {
        GgufBytes b = GgufBytes.header(3, 1, 0).tensorInfo("t", GgmlType.Q8_0.id(), 0, 33, 2);
        assertFails(b, "tensor t of type Q8_0 has rows of 33 elements, which is not a multiple of its block size 32");
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 99, -1})
    void unknownTensorType(int typeId) {
        GgufBytes b = GgufBytes.header(3, 1, 0).tensorInfo("t", typeId, 0, 32);
        assertFails(b, "tensor t has unknown type id " + Integer.toUnsignedString(typeId));
    }

    @Test
    void duplicateTensorName() {
        GgufBytes b = GgufBytes.header(3, 2, 0).tensorInfo("t", F32, 0, 4).tensorInfo("t", F32, 32, 4)
                .padTo(32).zeros(64);
        assertFails(b, "duplicate tensor name t");
    }

    // ---- bad metadata

    @Test
    void unknownMetadataValueType() {
        GgufBytes b = GgufBytes.header(3, 0, 1).string("k").u32(13).u32(0);
        assertFails(b, "metadata key k has unknown value type 13");
    }

    @Test
    void unknownArrayElementType() {
        GgufBytes b = GgufBytes.header(3, 0, 1).key("k", GgufValueType.ARRAY).u32(77).u64(0);
        assertFails(b, "key k: array has unknown element type 77");
    }

    @Test
    void boolThatIsNeitherZeroNorOne() {
        GgufBytes b = GgufBytes.header(3, 0, 1).key("k", GgufValueType.BOOL).u8(2);
        assertFails(b, "key k: expected a bool (0 or 1), found 2");
    }

    @Test
    void arraysNestedTooDeep() {
        GgufBytes b = GgufBytes.header(3, 0, 1).key("k", GgufValueType.ARRAY);
        for (int level = 0; level < 5; level++) {
            b.u32(GgufValueType.ARRAY.id()).u64(1);
        }
        assertFails(b, "key k[0][0][0][0]: arrays nested deeper than 4 levels");
    }

    @Test
    void duplicateKey() {
        GgufBytes b = GgufBytes.header(3, 0, 2).uint32Entry("k", 1).uint32Entry("k", 2);
        assertFails(b, "duplicate metadata key k");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 48, 1 << 21, -32})
    void badAlignment(int alignment) {
        GgufBytes b = GgufBytes.header(3, 0, 1).key("general.alignment", GgufValueType.INT32).u32(alignment);
        assertFails(b, "key general.alignment: expected a power of two in [1, 2^20], found " + alignment);
    }

    @Test
    void alignmentOfTheWrongType() {
        GgufBytes b = GgufBytes.header(3, 0, 1).key("general.alignment", GgufValueType.STRING).string("32");
        assertFails(b, "key general.alignment: expected an integer, found STRING");
    }

    // ---- valid files asked for what they lack

    @Test
    void missingTensor() {
        try (GgufFile f = GgufFile.open(TestModels.stories260kF32())) {
            assertThatThrownBy(() -> f.tensor("blk.9.attn_q.weight")).isInstanceOf(ModelFormatException.class)
                    .hasMessage("Cannot load model " + f.path() + ": missing tensor blk.9.attn_q.weight");
        }
    }

    @Test
    void missingKeyOrWrongType() {
        try (GgufFile f = GgufFile.open(TestModels.stories260kF32())) {
            GgufMetadata m = f.metadata();
            String prefix = "Cannot load model " + f.path() + ": ";
            assertThatThrownBy(() -> m.getString("llama.rope.scaling.type")).isInstanceOf(ModelFormatException.class)
                    .hasMessage(prefix + "missing metadata key llama.rope.scaling.type (expected a string)");
            assertThatThrownBy(() -> m.getLong("general.file_type"))
                    .hasMessage(prefix + "missing metadata key general.file_type (expected an integer)");
            assertThatThrownBy(() -> m.getLong("general.architecture"))
                    .hasMessage(prefix + "key general.architecture: expected an integer, found STRING");
            assertThatThrownBy(() -> m.getString("llama.block_count"))
                    .hasMessage(prefix + "key llama.block_count: expected a string, found UINT32");
            assertThatThrownBy(() -> m.getDouble("tokenizer.ggml.model"))
                    .hasMessage(prefix + "key tokenizer.ggml.model: expected a number, found STRING");
            assertThatThrownBy(() -> m.getBoolOpt("llama.block_count"))
                    .hasMessage(prefix + "key llama.block_count: expected a bool, found UINT32");
            assertThatThrownBy(() -> m.getArray("llama.block_count"))
                    .hasMessage(prefix + "key llama.block_count: expected an array, found UINT32");
            assertThatThrownBy(() -> m.getStringArray("tokenizer.ggml.scores"))
                    .hasMessage(prefix + "key tokenizer.ggml.scores: expected an array of STRING, found an array of FLOAT32");
            assertThatThrownBy(() -> m.getFloatArray("tokenizer.ggml.tokens"))
                    .hasMessage(prefix + "key tokenizer.ggml.tokens: expected an array of FLOAT32, found an array of STRING");
            assertThatThrownBy(() -> m.getIntArray("tokenizer.ggml.tokens"))
                    .hasMessage(prefix + "key tokenizer.ggml.tokens: expected an array of integers, found an array of STRING");
            assertThatThrownBy(() -> m.getInt("llama.block_count", 6))
                    .hasMessage(prefix + "key llama.block_count: expected an integer in [6, 2147483647], found 5");
            assertThatThrownBy(() -> m.getInt("tokenizer.ggml.padding_token_id", 0))
                    .hasMessage(prefix + "key tokenizer.ggml.padding_token_id: expected an integer in [0, 2147483647], found 4294967295");
        }
    }

    @Test
    void tensorOfATypeCanopyCannotComputeWith() {
        Path file = dir.resolve("q3k.gguf");
        new GgufWriter(file).addTensor("blk.0.ffn_down.weight", GgmlType.Q3_K, new long[] {256, 2},
                new byte[2 * GgmlType.Q3_K.bytesPerBlock()]).write();
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.tensorInfos().get("blk.0.ffn_down.weight").type()).isEqualTo(GgmlType.Q3_K);
            assertThatThrownBy(() -> f.tensor("blk.0.ffn_down.weight")).isInstanceOf(ModelFormatException.class)
                    .hasMessage("Cannot load model " + file + ": tensor blk.0.ffn_down.weight has type Q3_K, which Canopy "
                            + "does not support yet; supported types: F32, F16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, "
                            + "Q5_K, Q6_K, BF16, MXFP4");
        }
    }

    // ---- helpers

    /** A small valid file: one string entry and one F32 tensor. */
    private Path validFile() {
        Path file = dir.resolve("valid.gguf");
        new GgufWriter(file).putString("general.architecture", "llama")
                .addTensor("t", GgmlType.F32, new long[] {4}, new byte[16]).write();
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.tensorInfos()).containsOnlyKeys("t");
        }
        return file;
    }

    private static void patchU32(Path file, long offset, int value) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value);
            ch.write(b.flip(), offset);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void assertFails(GgufBytes bytes, String problem) {
        assertOpenFails(bytes.writeTo(dir.resolve("bad.gguf")), problem);
    }

    /** Checks that opening {@code file} fails with {@code problem}, allocating less than {@link #MAX_ALLOCATED_BYTES}. */
    private static void assertOpenFails(Path file, String problem) {
        long allocated = allocatedBy(() -> assertThatThrownBy(() -> GgufFile.open(file).close())
                .isInstanceOf(ModelFormatException.class)
                .hasMessage("Cannot load model " + file + ": " + problem));
        assertThat(allocated).as("bytes allocated while failing to open %s", file).isLessThan(MAX_ALLOCATED_BYTES);
    }

    /** Bytes this thread allocates while running {@code action}, as the JVM counts them. */
    private static long allocatedBy(Runnable action) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        action.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }
}
