package dev.canopy.pipeline.input;

import java.util.Objects;

/**
 * Where the prompts come from.
 *
 * @param location a path (file or directory, any Hadoop file system) or, for {@link InputFormat#TABLE}, a table name
 * @param format   how it is stored
 */
public record InputSpec(String location, InputFormat format) {

    public InputSpec {
        Objects.requireNonNull(format, "format");
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("Cannot read input: its location is not set");
        }
    }
}
