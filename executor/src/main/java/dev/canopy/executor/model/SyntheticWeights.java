package dev.canopy.executor.model;

import dev.canopy.executor.gguf.GgufTensorData;
import dev.canopy.executor.gguf.GgufTensorSink;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Quantizer;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * Random values for one tensor, uniform with mean {@code mean} and standard deviation {@code std},
 * generated and encoded one row at a time as the file is written (never the whole tensor in
 * memory). The values depend only on the seed and the tensor's name, not on the order of writing.
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
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        float[] row = new float[cols]; // (cols)
        byte[] encoded = new byte[Math.toIntExact(type.byteSize(cols))]; // (type.byteSize(cols))
        MemorySegment encodedSegment = MemorySegment.ofArray(encoded);
        float halfWidth = std * SQRT3;
        for (long r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                row[c] = mean + halfWidth * (2f * random.nextFloat() - 1f);
            }
            Quantizer.quantize(type, row, 0, cols, encodedSegment, 0);
            sink.write(encoded);
        }
    }
}
