package dev.canopy.executor.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GgufWriterTest {

    @TempDir
    Path dir;

    @Test
    void writesEveryMetadataValueTypeSoTheReaderGetsItBack() {
        Path file = dir.resolve("values.gguf");
        GgufWriter w = new GgufWriter(file)
                .putUint8("u8", (byte) 0xff).putInt8("i8", (byte) -7)
                .putUint16("u16", (short) 0xfffe).putInt16("i16", (short) -300)
                .putUint32("u32", (int) 4_000_000_000L).putInt32("i32", -123456)
                .putUint64("u64", -1L).putInt64("i64", Long.MIN_VALUE)
                .putFloat32("f32", 1.5e-5f).putFloat64("f64", Math.PI)
                .putBool("yes", true).putBool("no", false)
                .putString("ascii", "llama").putString("empty", "").putString("unicode", "▁héllo “quotes” 🙂")
                .putArray("a.u8", new GgufArray(GgufValueType.UINT8, new byte[] {0, 1, (byte) 255}))
                .putArray("a.i8", new GgufArray(GgufValueType.INT8, new byte[] {-128, 127}))
                .putArray("a.u16", new GgufArray(GgufValueType.UINT16, new short[] {1, (short) 65535}))
                .putArray("a.i16", new GgufArray(GgufValueType.INT16, new short[] {-1, 2}))
                .putArray("a.u32", new GgufArray(GgufValueType.UINT32, new int[] {7, -1}))
                .putArray("a.i32", new GgufArray(GgufValueType.INT32, new int[] {2, 3, 3, 6, 1}))
                .putArray("a.u64", new GgufArray(GgufValueType.UINT64, new long[] {1L << 40}))
                .putArray("a.i64", new GgufArray(GgufValueType.INT64, new long[] {-5, Long.MAX_VALUE}))
                .putArray("a.f32", new GgufArray(GgufValueType.FLOAT32, new float[] {0f, -0f, -252f, Float.NaN}))
                .putArray("a.f64", new GgufArray(GgufValueType.FLOAT64, new double[] {1e300, -1e-300}))
                .putArray("a.bool", new GgufArray(GgufValueType.BOOL, new boolean[] {true, false, true}))
                .putArray("a.string", new GgufArray(GgufValueType.STRING, new String[] {"<unk>", "▁the", "", "<0x0A>"}))
                .putArray("a.empty", new GgufArray(GgufValueType.INT32, new int[0]))
                .putArray("a.nested", new GgufArray(GgufValueType.ARRAY, new GgufArray[] {
                        new GgufArray(GgufValueType.INT32, new int[] {1, 2}),
                        new GgufArray(GgufValueType.STRING, new String[] {"a", "bc"}),
                        new GgufArray(GgufValueType.ARRAY, new GgufArray[] {
                                new GgufArray(GgufValueType.FLOAT32, new float[] {0.25f})})}));
        w.write();

        try (GgufFile f = GgufFile.open(file)) {
            GgufMetadata m = f.metadata();
            assertThat(f.version()).isEqualTo(3);
            assertThat(m.keys()).containsExactly("u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64", "f32", "f64",
                    "yes", "no", "ascii", "empty", "unicode", "a.u8", "a.i8", "a.u16", "a.i16", "a.u32", "a.i32",
                    "a.u64", "a.i64", "a.f32", "a.f64", "a.bool", "a.string", "a.empty", "a.nested");
            assertThat(m.getLong("u8")).isEqualTo(255);
            assertThat(m.getLong("i8")).isEqualTo(-7);
            assertThat(m.getLong("u16")).isEqualTo(65534);
            assertThat(m.getLong("i16")).isEqualTo(-300);
            assertThat(m.getLong("u32")).isEqualTo(4_000_000_000L);
            assertThat(m.getLong("i32")).isEqualTo(-123456);
            assertThat(m.getLong("u64")).isEqualTo(-1L);
            assertThat(m.entry("u64").orElseThrow().type()).isEqualTo(GgufValueType.UINT64);
            assertThat(m.getLong("i64")).isEqualTo(Long.MIN_VALUE);
            assertThat(m.getDouble("f32")).isEqualTo(1.5e-5f);
            assertThat(m.getDouble("f64")).isEqualTo(Math.PI);
            assertThat(m.getBoolOpt("yes")).contains(true);
            assertThat(m.getBoolOpt("no")).contains(false);
            assertThat(m.getString("ascii")).isEqualTo("llama");
            assertThat(m.getString("empty")).isEmpty();
            assertThat(m.getString("unicode")).isEqualTo("▁héllo “quotes” 🙂");
            assertThat(m.getIntArray("a.u8")).containsExactly(0, 1, 255);
            assertThat(m.getIntArray("a.i8")).containsExactly(-128, 127);
            assertThat(m.getIntArray("a.u16")).containsExactly(1, 65535);
            assertThat(m.getIntArray("a.i16")).containsExactly(-1, 2);
            assertThat((int[]) m.getArray("a.u32").values()).containsExactly(7, -1);
            assertThat(m.getIntArray("a.i32")).containsExactly(2, 3, 3, 6, 1);
            assertThat((long[]) m.getArray("a.u64").values()).containsExactly(1L << 40);
            assertThat((long[]) m.getArray("a.i64").values()).containsExactly(-5, Long.MAX_VALUE);
            assertThat(m.getFloatArray("a.f32")).containsExactly(0f, -0f, -252f, Float.NaN);
            assertThat((double[]) m.getArray("a.f64").values()).containsExactly(1e300, -1e-300);
            assertThat((boolean[]) m.getArray("a.bool").values()).containsExactly(true, false, true);
            assertThat(m.getStringArray("a.string")).containsExactly("<unk>", "▁the", "", "<0x0A>");
            assertThat(m.getArray("a.empty").length()).isZero();
            assertThat(plain(m.getArray("a.nested"))).isEqualTo(
                    List.of("ARRAY", List.of(List.of("INT32", List.of(1, 2)), List.of("STRING", List.of("a", "bc")),
                            List.of("ARRAY", List.of(List.of("FLOAT32", List.of(0.25f)))))));
            assertThat(f.tensorInfos()).isEmpty();
        }
    }

    @Test
    void writesTensorsAtAlignedOffsetsWithTheirBytes() throws IOException {
        Path file = dir.resolve("tensors.gguf");
        byte[] f32 = bytes(3 * 4, 1); // 3 floats: 12 bytes, so the next tensor needs padding
        byte[] q8 = bytes(2 * 2 * GgmlType.Q8_0.bytesPerBlock(), 2); // [64, 2]: 2 rows of 2 blocks
        byte[] f16 = bytes(5 * 2, 3);
        new GgufWriter(file).putString("general.architecture", "test")
                .addTensor("a", GgmlType.F32, new long[] {3}, f32)
                .addTensor("b", GgmlType.Q8_0, new long[] {64, 2}, q8)
                .addTensor("c", GgmlType.F16, new long[] {5, 1, 1}, sink -> {
                    sink.write(f16, 0, 4); // in two pieces
                    sink.write(MemorySegment.ofArray(f16).asSlice(4));
                })
                .write();

        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.alignment()).isEqualTo(32);
            assertThat(f.dataOffset() % 32).isZero();
            assertThat(f.tensorInfos().keySet()).containsExactly("a", "b", "c");
            assertThat(f.tensorInfos().get("a").offset()).isZero();
            assertThat(f.tensorInfos().get("b").offset()).isEqualTo(32);
            assertThat(f.tensorInfos().get("c").offset()).isEqualTo(32 + 160);
            assertThat(f.tensor("b").shape()).containsExactly(64, 2);
            assertThat(f.tensor("c").shape()).containsExactly(5, 1, 1);
            assertThat(f.tensor("a").data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(f32);
            assertThat(f.tensor("b").data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(q8);
            assertThat(f.tensor("c").data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(f16);
            assertThat(f.fileSize() % 32).as("the last tensor is padded too").isZero();
        }
        assertThat(Files.exists(dir.resolve("tensors.gguf.partial"))).isFalse();
    }

    @Test
    void honoursACustomAlignment() {
        Path file = dir.resolve("aligned.gguf");
        new GgufWriter(file).putUint32("general.alignment", 256)
                .addTensor("a", GgmlType.F32, new long[] {3}, bytes(12, 1))
                .addTensor("b", GgmlType.F32, new long[] {70}, bytes(280, 2))
                .addTensor("c", GgmlType.F32, new long[] {1}, bytes(4, 3))
                .write();

        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.alignment()).isEqualTo(256);
            assertThat(f.dataOffset() % 256).isZero();
            assertThat(f.tensorInfos().values()).extracting(GgufTensorInfo::offset).containsExactly(0L, 256L, 768L);
            assertThat(f.tensor("c").data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(bytes(4, 3));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"stories260K-f32.gguf", "stories260K-q8_0.gguf"})
    void rewritesARealModelByteForByte(String name) throws IOException {
        Path original = TestModels.dir().resolve(name);
        Path copy = dir.resolve(name);
        try (GgufFile in = GgufFile.open(original)) {
            GgufWriter w = new GgufWriter(copy).putAll(in.metadata());
            in.tensorInfos().keySet().forEach(t -> w.addTensor(in.tensor(t)));
            w.write();

            try (GgufFile out = GgufFile.open(copy)) {
                assertThat(out.metadata().keys()).containsExactlyElementsOf(in.metadata().keys());
                for (String key : in.metadata().keys()) {
                    assertThat(plainEntry(out.metadata(), key)).as(key).isEqualTo(plainEntry(in.metadata(), key));
                }
                assertThat(out.tensorInfos().keySet()).containsExactlyElementsOf(in.tensorInfos().keySet());
                for (String t : in.tensorInfos().keySet()) {
                    Tensor a = in.tensor(t);
                    Tensor b = out.tensor(t);
                    assertThat(b.type()).isEqualTo(a.type());
                    assertThat(b.shape()).isEqualTo(a.shape());
                    assertThat(b.data().mismatch(a.data())).as(t).isEqualTo(-1);
                }
            }
        }
        assertThat(Files.mismatch(original, copy)).as("first differing byte").isEqualTo(-1);
    }

    @Test
    void refusesAKeyTwice() {
        GgufWriter w = new GgufWriter(dir.resolve("x.gguf")).putString("general.name", "a");
        assertThatThrownBy(() -> w.putUint32("general.name", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot set metadata key general.name: it is already set");
    }

    @Test
    void refusesAValueOfTheWrongJavaType() {
        GgufWriter w = new GgufWriter(dir.resolve("x.gguf"));
        assertThatThrownBy(() -> w.put("k", GgufValueType.UINT32, 5L)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot set metadata key k: a UINT32 value must be a Integer, got Long");
        assertThatThrownBy(() -> w.putArray("k", new GgufArray(GgufValueType.FLOAT32, new double[1])))
                .hasMessage("Cannot set metadata key k: an array of FLOAT32 must hold a float[], got double[]");
        assertThatThrownBy(() -> w.putArray("k", new GgufArray(GgufValueType.STRING, new String[] {"a", null})))
                .hasMessage("Cannot set metadata key k[1]: a STRING value must be a String, got null");
        GgufArray deep = new GgufArray(GgufValueType.INT32, new int[] {1});
        for (int i = 0; i < 4; i++) {
            deep = new GgufArray(GgufValueType.ARRAY, new GgufArray[] {deep});
        }
        GgufArray tooDeep = deep;
        assertThatThrownBy(() -> w.putArray("k", tooDeep))
                .hasMessage("Cannot set metadata key k[0][0][0][0]: arrays nested deeper than 4 levels");
    }

    @Test
    void refusesAnAlignmentThatIsNotAPowerOfTwo() {
        GgufWriter w = new GgufWriter(dir.resolve("x.gguf"));
        assertThatThrownBy(() -> w.putUint32("general.alignment", 48))
                .hasMessage("Cannot set metadata key general.alignment: expected a power of two in [1, 1048576], got 48");
        assertThatThrownBy(() -> w.putString("general.alignment", "32"))
                .hasMessage("Cannot set metadata key general.alignment: expected an integer type (UINT32), got STRING");
    }

    @Test
    void refusesBadTensors() {
        GgufWriter w = new GgufWriter(dir.resolve("x.gguf")).addTensor("t", GgmlType.F32, new long[] {1}, new byte[4]);
        assertThatThrownBy(() -> w.addTensor("t", GgmlType.F32, new long[] {1}, new byte[4]))
                .hasMessage("Cannot add tensor t: a tensor of that name was already added");
        assertThatThrownBy(() -> w.addTensor("q", GgmlType.Q8_0, new long[] {40, 2}, new byte[0]))
                .hasMessage("Cannot add tensor q: its rows have 40 elements, not a multiple of the Q8_0 block size 32");
        assertThatThrownBy(() -> w.addTensor("z", GgmlType.F32, new long[] {4, 0}, new byte[0]))
                .hasMessage("Cannot add tensor z: shape [4, 0] has a dimension that is not positive");
        assertThatThrownBy(() -> w.addTensor("d", GgmlType.F32, new long[] {1, 1, 1, 1, 1}, new byte[4]))
                .hasMessage("Cannot add tensor d: it has 5 dimensions; expected 1 to 4");
        assertThatThrownBy(() -> w.addTensor("o", GgmlType.F32, new long[] {1L << 32, 1L << 32}, new byte[0]))
                .hasMessage("Cannot add tensor o: shape [4294967296, 4294967296] has more than 2^63 elements");
        assertThatThrownBy(() -> w.addTensor("x".repeat(64), GgmlType.F32, new long[] {1}, new byte[4]))
                .hasMessage("Cannot add tensor " + "x".repeat(64) + ": its name has 64 bytes, but GGUF readers accept at most 63");
    }

    @Test
    void failsWithoutLeavingAFileWhenADataSourceWritesTheWrongAmount() {
        Path file = dir.resolve("short.gguf");
        GgufWriter shortWriter = new GgufWriter(file).addTensor("t", GgmlType.F32, new long[] {4}, new byte[12]);
        assertThatThrownBy(shortWriter::write).isInstanceOf(IllegalStateException.class)
                .hasMessage("Cannot write tensor t: its data source wrote 12 bytes, but its type and shape need 16");
        GgufWriter longWriter = new GgufWriter(file).addTensor("t", GgmlType.F32, new long[] {4}, new byte[20]);
        assertThatThrownBy(longWriter::write).isInstanceOf(IllegalStateException.class)
                .hasMessage("Cannot write tensor t: its data would have 20 bytes, but its type and shape need 16");
        assertThat(file).doesNotExist();
        assertThat(dir.resolve("short.gguf.partial")).doesNotExist();
    }

    @Test
    void writesOnce() {
        GgufWriter w = new GgufWriter(dir.resolve("once.gguf"));
        w.write();
        assertThatThrownBy(w::write).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("this writer already wrote it");
        assertThatThrownBy(() -> w.putBool("k", true)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    @Tag("slow")
    void writesAFileLargerThan2GiB() {
        Path file = dir.resolve("big.gguf");
        long bigElements = (1L << 29) + 8; // 2 GiB + 32 bytes of F32
        byte[] chunk = new byte[1 << 20];
        new GgufWriter(file)
                .addTensor("big", GgmlType.F32, new long[] {bigElements}, sink -> {
                    while (sink.remaining() > 0) {
                        sink.write(chunk, 0, (int) Math.min(chunk.length, sink.remaining()));
                    }
                })
                .addTensor("after", GgmlType.F32, new long[] {8}, bytes(32, 9))
                .write();
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.tensorInfos().get("after").offset()).isEqualTo(bigElements * 4);
            assertThat(f.tensor("after").data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(bytes(32, 9));
            assertThat(f.fileSize()).isGreaterThan(1L << 31);
        }
    }

    /** {@code n} bytes, different for each {@code salt}. */
    private static byte[] bytes(int n, int salt) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + salt * 7);
        }
        return b;
    }

    private static Object plainEntry(GgufMetadata m, String key) {
        GgufMetadata.Entry e = m.entry(key).orElseThrow();
        return List.of(e.type().name(), plain(e.value()));
    }

    /** A value with every array turned into a list, so that equals compares contents. */
    private static Object plain(Object value) {
        if (value instanceof GgufArray a) {
            return List.of(a.elementType().name(), plain(a.values()));
        }
        if (value != null && value.getClass().isArray()) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) {
                list.add(plain(Array.get(value, i)));
            }
            return list;
        }
        return value;
    }
}
