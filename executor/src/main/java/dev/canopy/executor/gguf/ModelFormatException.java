package dev.canopy.executor.gguf;

import java.nio.file.Path;

/**
 * A model file is truncated, corrupt, inconsistent or uses something Canopy does not support.
 * The message always names the file and says what was expected and what was found.
 */
public class ModelFormatException extends RuntimeException {

    private final Path file;

    public ModelFormatException(Path file, String problem) {
        super("Cannot load model " + file + ": " + problem);
        this.file = file;
    }

    public ModelFormatException(Path file, String problem, Throwable cause) {
        super("Cannot load model " + file + ": " + problem, cause);
        this.file = file;
    }

    /** The offending file. */
    public Path file() {
        return file;
    }
}
