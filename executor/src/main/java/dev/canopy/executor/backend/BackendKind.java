package dev.canopy.executor.backend;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Where a model runs: on the CPU, on a GPU, or on a GPU when one is usable and otherwise the CPU. */
public enum BackendKind {
    CPU,
    CUDA,
    AUTO;

    /**
     * The kind named {@code name} (case-insensitive: {@code cpu}, {@code cuda}, {@code auto}).
     *
     * @throws IllegalArgumentException naming the value and the choices
     */
    public static BackendKind parse(String name) {
        return Arrays.stream(values()).filter(k -> k.name().equalsIgnoreCase(name.strip())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Cannot choose backend '" + name + "': expected one of "
                        + Arrays.stream(values()).map(k -> k.name().toLowerCase(Locale.ROOT))
                                .collect(Collectors.joining(", "))));
    }
}
