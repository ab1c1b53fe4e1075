package dev.canopy.executor.safetensors;

import dev.canopy.executor.tensor.GgmlType;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The element types a safetensors header may name ({@code dtype}), their sizes, and the GGML type
 * Canopy computes with where there is one (F32, F16, BF16).
 */
public enum SafetensorsDtype {
    F64(8, null), F32(4, GgmlType.F32), F16(2, GgmlType.F16), BF16(2, GgmlType.BF16),
    I64(8, null), I32(4, null), I16(2, null), I8(1, null), U64(8, null), U32(4, null), U16(2, null), U8(1, null),
    BOOL(1, null), F8_E4M3(1, null), F8_E5M2(1, null);

    private final int bytes;
    private final GgmlType ggmlType;

    SafetensorsDtype(int bytes, GgmlType ggmlType) {
        this.bytes = bytes;
        this.ggmlType = ggmlType;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The GGML type of the same bits, when Canopy can compute with it. */
    public Optional<GgmlType> ggmlType() {
        return Optional.ofNullable(ggmlType);
    }

    /** The dtype a header names, if it is one. */
    static Optional<SafetensorsDtype> named(String name) {
        return Arrays.stream(values()).filter(d -> d.name().equals(name)).findFirst();
    }

    static List<String> names() {
        return Arrays.stream(values()).map(Enum::name).toList();
    }
}
