package dev.canopy.executor.tensor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Writes the reference cases the C kernels' harness ({@code src/test/c/kernels_harness.c}) checks every
 * native path against, on x86-64 and, under qemu-aarch64, on aarch64: for each weight type a random
 * matrix encoded by {@link Quantizer}, activations, the {@link ReferenceMatMul} result and the per-output
 * bound of {@link MatMulTest#bound}. Run by {@code src/test/c/make-reference.sh}; the output is committed
 * as {@code src/test/resources/kernels/reference.bin}.
 *
 * <p>Format (little-endian): "CKR1", int32 case count; per case int32 type id, rows, cols, batch,
 * int32 weight byte count, the weight bytes, float x[batch*cols], float expected[batch*rows],
 * float bound[batch*rows].
 */
final class KernelReferenceWriter {

    private static final GgmlType[] TYPES = {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0,
            GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.MXFP4};

    private KernelReferenceWriter() {}

    public static void main(String[] args) throws IOException {
        List<byte[]> cases = new ArrayList<>();
        for (GgmlType type : TYPES) {
            int[][] shapes = !type.quantized() ? new int[][] {{5, 67, 3}, {6, 256, 5}}
                    : type.blockSize() == 32 ? new int[][] {{7, 288, 5}, {4, 512, 2}} // 9 blocks: a half-empty pair
                    : new int[][] {{5, 512, 3}, {6, 768, 5}, {19, 512, 6}}; // 19 rows: tiles of 8 and a part
            for (int[] shape : shapes) {
                cases.add(encodeCase(type, shape[0], shape[1], shape[2], cases.size()));
            }
        }
        int size = 8 + cases.stream().mapToInt(c -> c.length).sum();
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.put("CKR1".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(cases.size());
        cases.forEach(out::put);
        Files.write(Path.of(args[0]), out.array());
    }

    private static byte[] encodeCase(GgmlType type, int rows, int cols, int batch, long seed) {
        byte[] w = Quantizer.quantize(type, TestTensors.randomValues(new Random(seed), rows * cols));
        Tensor t = new Tensor("reference." + type, type, new long[] {cols, rows}, MemorySegment.ofArray(w));
        float[] x = TestTensors.randomValues(new Random(1000 + seed), batch * cols); // (batch, cols)
        float[] expected = new float[batch * rows]; // (batch, rows)
        ReferenceMatMul.apply(t, x, 0, batch, expected, 0);
        float[] decoded = Dequant.toFloats(t);
        ByteBuffer buf = ByteBuffer.allocate(20 + w.length + 4 * (batch * cols + 2 * batch * rows))
                .order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(type.id()).putInt(rows).putInt(cols).putInt(batch).putInt(w.length).put(w);
        for (float v : x) {
            buf.putFloat(v);
        }
        for (float v : expected) {
            buf.putFloat(v);
        }
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < rows; r++) {
                buf.putFloat((float) MatMulTest.bound(decoded, r, cols, x, b * cols,
                        type.quantized() ? MatMulTest.activationValuesPerScale(type) : 0));
            }
        }
        return buf.array();
    }
}
