package dev.canopy.executor.hf;

import dev.canopy.executor.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * The row order of Q and K in llama-style checkpoints. Hugging Face stores each head's rows as
 * (first halves of the rotary pairs, then second halves); GGUF interleaves them, as llama.cpp's
 * converter {@code permute} does: GGUF row {@code h·d + 2j + i} is HF row {@code h·d + i·d/2 + j}.
 */
public final class QkPermutation {

    private QkPermutation() {}

    /** A copy of {@code t}'s rows in GGUF order ({@code heads} heads of {@code rows/heads} rows each). */
    public static MemorySegment toGguf(Tensor t, int heads) {
        return permute(t, heads, true);
    }

    /** A copy of {@code t}'s rows in Hugging Face order (the inverse of {@link #toGguf}). */
    public static MemorySegment toHf(Tensor t, int heads) {
        return permute(t, heads, false);
    }

    private static MemorySegment permute(Tensor t, int heads, boolean toGguf) {
        long rows = t.dim(1);
        long rowBytes = t.data().byteSize() / rows;
        if (rows % heads != 0 || (rows / heads) % 2 != 0) {
            throw new IllegalArgumentException("Cannot permute " + t.name() + ": " + rows + " rows do not split into " + heads
                    + " heads of an even size");
        }
        long d = rows / heads;
        MemorySegment out = MemorySegment.ofArray(new byte[Math.toIntExact(t.data().byteSize())]);
        for (long h = 0; h < heads; h++) {
            for (long j = 0; j < d / 2; j++) {
                for (long i = 0; i < 2; i++) {
                    long gguf = h * d + 2 * j + i;
                    long hf = h * d + i * d / 2 + j;
                    long from = toGguf ? hf : gguf;
                    long to = toGguf ? gguf : hf;
                    MemorySegment.copy(t.data(), from * rowBytes, out, to * rowBytes, rowBytes);
                }
            }
        }
        return out;
    }
}
