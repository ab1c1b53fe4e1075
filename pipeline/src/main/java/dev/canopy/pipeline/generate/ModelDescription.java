package dev.canopy.pipeline.generate;

import java.util.Objects;

/**
 * What the driver knows of the model without loading it.
 *
 * @param name        written to the output's {@code model} column
 * @param fingerprint changes when the model file changes; a rerun into the same output must see the same one
 */
public record ModelDescription(String name, String fingerprint) {

    public ModelDescription {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(fingerprint, "fingerprint");
    }
}
