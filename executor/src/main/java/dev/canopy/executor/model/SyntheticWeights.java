package dev.canopy.executor.model;

import dev.canopy.executor.gguf.GgufTensorData;
import dev.canopy.executor.gguf.GgufTensorSink;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Quantizer;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.stream.IntStream;

/**
 * Random values for one tensor, uniform with mean {@code mean} and standard deviation {@code std},
 * generated and encoded one row at a time as the file is written (never the whole tensor in
 * memory; a batch of rows is encoded in parallel). The values depend only on the seed and the tensor's
 * name, not on the order of writing or the threads, and come from SplitMix64, spelled out here, so the
 * same seed gives the same bytes on every JDK.
 *
 * @param name tensor name (mixed into the seed)
 * @param type encoding of the values
 * @param cols elements per row (the innermost dimension)
 * @param rows number of rows
 * @param seed the model's seed
 * @param mean mean of the values
 * @param std standard deviation of the values
 */
record SyntheticWeights(String name, GgmlType type, int cols, long rows, long seed, float mean, float std)
        implements GgufTensorData {

    /** Half-width of a uniform distribution with standard deviation 1. */
    private static final float SQRT3 = (float) Math.sqrt(3);
    /** Encoded bytes handed to the sink at a time (a batch of rows encoded in parallel). */
    private static final long BATCH_BYTES = 1 << 20;

    @Override
    public void writeTo(GgufTensorSink sink) throws IOException {
        long start = mix(seed * 0x9E3779B97F4A7C15L + name.hashCode()); // SplitMix64 state before row 0
        int rowBytes = Math.toIntExact(type.byteSize(cols));
        int batch = (int) Math.min(rows, Math.max(1, BATCH_BYTES / rowBytes));
        byte[] encoded = new byte[batch * rowBytes]; // (batch, rowBytes)
        for (long r0 = 0; r0 < rows; r0 += batch) {
            long first = r0;
            int n = (int) Math.min(batch, rows - r0);
            // rows are independent (each starts from its own state), so they encode in parallel with the same bytes
            IntStream.range(0, n).parallel().forEach(i -> encodeRow(start, first + i, encoded, i * rowBytes));
            sink.write(encoded, 0, n * rowBytes);
        }
    }

    /** Row {@code r}'s values, encoded into {@code out[at ..]}: the stream continues from the previous row's state. */
    private void encodeRow(long start, long r, byte[] out, int at) {
        long state = start + r * cols * 0x9E3779B97F4A7C15L; // the state after r * cols steps
        float[] row = new float[cols]; // (cols)
        float halfWidth = std * SQRT3;
        for (int c = 0; c < cols; c++) {
            state += 0x9E3779B97F4A7C15L;
            float uniform = (mix(state) >>> 40) * 0x1.0p-24f; // [0, 1)
            row[c] = mean + halfWidth * (2f * uniform - 1f);
        }
        Quantizer.quantize(type, row, 0, cols, MemorySegment.ofArray(out), at);
    }

    /** SplitMix64's output function. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
