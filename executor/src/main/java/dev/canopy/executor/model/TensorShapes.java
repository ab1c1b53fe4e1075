package dev.canopy.executor.model;

import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.gguf.ModelFormatException;
import dev.canopy.executor.tensor.Dequant;
import dev.canopy.executor.tensor.Tensor;
import java.util.Arrays;

/** A model file's tensors, each checked against the shape the metadata implies. */
final class TensorShapes {

    private final GgufFile file;

    TensorShapes(GgufFile file) {
        this.file = file;
    }

    boolean has(String name) {
        return file.hasTensor(name);
    }

    /** An error naming the file: "Cannot load ...: {@code problem}". */
    ModelFormatException unsupported(String problem) {
        return new ModelFormatException(file.path(), problem);
    }

    /** A 2-D tensor of {@code cols} (inner) × {@code rows}, as the metadata implies. */
    Tensor matrix(String name, int cols, int rows) {
        return shaped(name, cols, rows);
    }

    /** A 1-D tensor of {@code n} elements, converted to floats. */
    float[] vector(String name, int n) {
        return Dequant.toFloats(shaped(name, n));
    }

    /** A tensor of exactly {@code expected} shape (innermost first). */
    Tensor shaped(String name, long... expected) {
        Tensor t = file.tensor(name);
        if (!Arrays.equals(t.shape(), expected)) {
            throw new ModelFormatException(file.path(), "tensor " + name + " has shape " + Arrays.toString(t.shape())
                    + ", but the metadata implies " + Arrays.toString(expected));
        }
        return t;
    }

    /**
     * Rows {@code [from, from + count)} of a 2-D tensor (or of the flattened outer dimensions of a 3-D
     * one) as a zero-copy 2-D tensor: the same bytes, in the file's weight type.
     */
    static Tensor rows(Tensor t, String name, int from, int count) {
        long rowBytes = t.rowBytes();
        return new Tensor(name, t.type(), new long[] {t.dim(0), count},
                t.data().asSlice(from * rowBytes, count * rowBytes));
    }
}
