package dev.canopy.executor.model;

import dev.canopy.executor.tensor.GgmlType;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What {@link ModelQuantizer} turns a model's weight matrices into, following llama.cpp's
 * {@code llama_tensor_get_type} for these file types:
 *
 * <ul>
 *   <li>every 2-D weight takes the base type, except
 *   <li>the output projection ({@code output.weight}, or {@code token_embd.weight} when the model has
 *       no separate output): Q6_K for all schemes but Q8_0, which keeps Q8_0;
 *   <li>Q4_K_M: also Q6_K for {@code attn_v.weight} and {@code ffn_down.weight} of the layers
 *       {@link #usesMoreBits} picks (the first and last eighth and every third in between).
 * </ul>
 * Plain {@code Q4_K} is not a llama.cpp file type: it is every matrix Q4_K with a Q6_K output, and is
 * recorded as llama.cpp's Q4_K_S ({@code general.file_type} 14), the closest one.
 */
public enum QuantScheme {
    Q8_0(GgmlType.Q8_0, 7),
    Q4_0(GgmlType.Q4_0, 2),
    Q4_K(GgmlType.Q4_K, 14),
    Q6_K(GgmlType.Q6_K, 18),
    Q4_K_M(GgmlType.Q4_K, 15);

    private final GgmlType baseType;
    private final int fileType;

    QuantScheme(GgmlType baseType, int fileType) {
        this.baseType = baseType;
        this.fileType = fileType;
    }

    /** The type most matrices get. */
    public GgmlType baseType() {
        return baseType;
    }

    /** The {@code general.file_type} llama.cpp records for this scheme ({@code llama_ftype}). */
    public int fileType() {
        return fileType;
    }

    /** The scheme named {@code name} (case-insensitive, e.g. "q4_k_m"). */
    public static Optional<QuantScheme> fromName(String name) {
        return Arrays.stream(values()).filter(s -> s.name().equalsIgnoreCase(name)).findFirst();
    }

    /** All names, for messages: "Q8_0, Q4_0, Q4_K, Q6_K, Q4_K_M". */
    public static String names() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }

    /**
     * The type this scheme wants for a weight matrix, before falling back for rows that do not divide
     * into its blocks.
     *
     * @param name the tensor's name
     * @param isOutput whether it is the output projection
     * @param index its position among the tensors of the same kind ({@code attn_v}, {@code ffn_down}), from 0
     * @param count how many tensors of that kind the model has
     */
    public GgmlType wantedType(String name, boolean isOutput, int index, int count) {
        if (isOutput) {
            return this == Q8_0 ? GgmlType.Q8_0 : GgmlType.Q6_K;
        }
        if (this == Q4_K_M && (name.contains("attn_v.weight") || name.contains("ffn_down")) && usesMoreBits(index, count)) {
            return GgmlType.Q6_K;
        }
        return baseType;
    }

    /** llama.cpp's {@code use_more_bits}: the first and last eighth of the layers, and every third between. */
    static boolean usesMoreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }

    /**
     * The type a matrix of {@code cols}-wide rows is written in when {@code wanted} does not divide
     * them, as llama.cpp falls back: Q4_K → Q5_0, Q5_K → Q5_1, Q6_K → Q8_0, and F16 where a
     * 32-value block does not fit either.
     */
    public static GgmlType fitting(GgmlType wanted, long cols) {
        if (cols % wanted.blockSize() == 0) {
            return wanted;
        }
        GgmlType narrower = switch (wanted) {
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            default -> GgmlType.F16;
        };
        return cols % narrower.blockSize() == 0 ? narrower : GgmlType.F16;
    }
}
