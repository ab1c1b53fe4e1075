package dev.canopy.executor.gguf;

import java.util.Optional;

/** Metadata value types as numbered by the GGUF spec ({@code gguf_metadata_value_type}). */
public enum GgufValueType {
    UINT8(0), INT8(1), UINT16(2), INT16(3), UINT32(4), INT32(5), FLOAT32(6), BOOL(7), STRING(8),
    ARRAY(9), UINT64(10), INT64(11), FLOAT64(12);

    private final int id;

    GgufValueType(int id) {
        this.id = id;
    }

    /** The number GGUF files use for this type. */
    public int id() {
        return id;
    }

    /** Whether values of this type are integers (signed or not). */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** The type with GGUF number {@code id}, if it exists. */
    public static Optional<GgufValueType> fromId(int id) {
        for (GgufValueType t : values()) {
            if (t.id == id) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
