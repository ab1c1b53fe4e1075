package dev.canopy.executor.model;

import dev.canopy.executor.gguf.GgufTensorData;
import dev.canopy.executor.gguf.GgufTensorSink;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Quantizer;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Random values for one tensor, uniform with mean {@code mean} and standard deviation {@code std},
 * generated and encoded one row at a time as the file is written (never the whole tensor in
 * memory). The values depend only on the seed and the tensor's name, not on the order of writing,
 * and come from SplitMix64, spelled out here, so the same seed gives the same bytes on every JDK.
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

    @Override
    public void writeTo(GgufTensorSink sink) throws IOException {
        long state = mix(seed * 0x9E3779B97F4A7C15L + name.hashCode()); // SplitMix64 state
        float[] row = new float[cols]; // (cols)
        byte[] encoded = new byte[Math.toIntExact(type.byteSize(cols))]; // (type.byteSize(cols))
        MemorySegment encodedSegment = MemorySegment.ofArray(encoded);
        float halfWidth = std * SQRT3;
        for (long r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                state += 0x9E3779B97F4A7C15L;
                float uniform = (mix(state) >>> 40) * 0x1.0p-24f; // [0, 1)
                row[c] = mean + halfWidth * (2f * uniform - 1f);
            }
            Quantizer.quantize(type, row, 0, cols, encodedSegment, 0);
            sink.write(encoded);
        }
    }

    /** SplitMix64's output function. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
