package dev.canopy.executor.cuda;

import dev.canopy.executor.tensor.GgmlType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One batch-1 GEMV design of the lab ({@code src/bench/cuda/gemv_lab.cu}, whose header explains the names), or main's
 * kernel it is measured against.
 *
 * @param kernel      the {@code extern "C"} kernel: in canopy.fatbin for {@link Kind#BASELINE}, else in the lab's
 * @param type        weight format, Q8_0 or Q4_0
 * @param kind        which kernel family, hence which arguments
 * @param stages      chunks a lane fetches before converting the first (U)
 * @param rowsPerWarp outputs one warp computes (R)
 * @param warpsPerRow warps sharing one output (K)
 * @param warps       warps per block (W)
 * @param options     the other switches
 * @param design      what the variant tries, for the report
 */
record GemvVariant(String kernel, GgmlType type, Kind kind, int stages, int rowsPerWarp, int warpsPerRow, int warps,
                   Set<Option> options, String design) {

    /** Kernel families: main's matmul, the lab's fp32 kernels, the lab's int8 ones (x quantized first). */
    enum Kind { BASELINE, STAGED, DP4A }

    /**
     * Switches in the kernel name: {@code _b32} (a lane owns whole Q8_0 blocks), {@code _xs} (x in shared memory),
     * {@code _cs} (evict-first weight loads).
     */
    enum Option { BLOCK32, X_SHARED, STREAMING }

    GemvVariant {
        if (type != GgmlType.Q8_0 && type != GgmlType.Q4_0) {
            throw new IllegalArgumentException("Cannot make GEMV variant " + kernel + ": type " + type
                    + " is not one of the lab's Q8_0, Q4_0");
        }
        if (stages < 1 || rowsPerWarp < 1 || warpsPerRow < 1 || warps % warpsPerRow != 0) {
            throw new IllegalArgumentException("Cannot make GEMV variant " + kernel + ": stages " + stages
                    + ", rows per warp " + rowsPerWarp + ", warps per row " + warpsPerRow + ", warps " + warps
                    + " must be positive with warps a multiple of warps per row");
        }
        options = Set.copyOf(options);
    }

    /** Main's batch-1 matmul of {@code type}, which every other variant of the type is compared with. */
    static GemvVariant baseline(GgmlType type) {
        String kernel = type == GgmlType.Q8_0 ? "matmul_q8_0_c16_r1" : "matmul_q4_0_c32_r1";
        return new GemvVariant(kernel, type, Kind.BASELINE, 1, 1, 1, 8, Set.of(),
                "main's kernel: a warp per output, one 16-byte load in flight per lane");
    }

    /** A lab fp32 kernel: gemv_{type}[_b32]_s{U}_r{R}[_k{K}][_w{W}][_xs][_cs]. */
    static GemvVariant staged(GgmlType type, int stages, int rowsPerWarp, int warpsPerRow, int warps,
                              Set<Option> options, String design) {
        return lab(Kind.STAGED, type, stages, rowsPerWarp, warpsPerRow, warps, options, design);
    }

    /** A lab int8 kernel: gemv_{type}[_b32]_dp4a_s{U}_r{R}, after gemv_quantize_x. */
    static GemvVariant dp4a(GgmlType type, boolean block32, int stages, int rowsPerWarp, String design) {
        return lab(Kind.DP4A, type, stages, rowsPerWarp, 1, 8, block32 ? Set.of(Option.BLOCK32) : Set.of(), design);
    }

    /** A lab kernel, named as gemv_lab.cu's instantiations are. */
    private static GemvVariant lab(Kind kind, GgmlType type, int stages, int rowsPerWarp, int warpsPerRow, int warps,
                                   Set<Option> options, String design) {
        String name = "gemv_" + ForwardKernels.typeName(type) + (options.contains(Option.BLOCK32) ? "_b32" : "")
                + (kind == Kind.DP4A ? "_dp4a" : "") + "_s" + stages + "_r" + rowsPerWarp
                + (warpsPerRow > 1 ? "_k" + warpsPerRow : "") + (warps != 8 ? "_w" + warps : "")
                + (options.contains(Option.X_SHARED) ? "_xs" : "") + (options.contains(Option.STREAMING) ? "_cs" : "");
        return new GemvVariant(name, type, kind, stages, rowsPerWarp, warpsPerRow, warps, options, design);
    }

    /** Every variant, each format's baseline first. */
    static List<GemvVariant> all() {
        GgmlType q8 = GgmlType.Q8_0;
        GgmlType q4 = GgmlType.Q4_0;
        Set<Option> none = Set.of();
        List<GemvVariant> all = new ArrayList<>();
        all.add(baseline(q8));
        all.add(staged(q8, 1, 1, 1, 8, none, "main's loop rebuilt in the lab (checks the lab against main)"));
        all.add(staged(q8, 4, 1, 1, 8, none, "branch gemv-prefetch: 4 chunks fetched before converting"));
        all.add(staged(q8, 8, 1, 1, 8, none, "8 chunks in flight (a whole 4096 row)"));
        all.add(staged(q8, 4, 2, 1, 8, none, "4 chunks, 2 outputs per warp (x loaded once for both)"));
        all.add(staged(q8, 8, 2, 1, 8, none, "8 chunks, 2 outputs per warp"));
        all.add(staged(q8, 4, 4, 1, 8, none, "4 chunks, 4 outputs per warp"));
        all.add(staged(q8, 4, 1, 1, 8, EnumSet.of(Option.X_SHARED), "4 chunks, x in shared memory"));
        all.add(staged(q8, 8, 2, 1, 8, EnumSet.of(Option.X_SHARED), "8 chunks, 2 outputs, x in shared memory"));
        all.add(staged(q8, 8, 2, 1, 8, EnumSet.of(Option.STREAMING), "8 chunks, 2 outputs, evict-first loads"));
        all.add(staged(q8, 8, 1, 1, 4, none, "8 chunks, 4 warps per block"));
        all.add(staged(q8, 8, 1, 1, 16, none, "8 chunks, 16 warps per block"));
        all.add(staged(q8, 4, 1, 4, 8, none, "4 warps per output, summed in shared memory"));
        all.add(staged(q8, 4, 2, 2, 8, none, "2 warps per 2 outputs, summed in shared memory"));
        all.add(staged(q8, 4, 1, 1, 8, EnumSet.of(Option.BLOCK32), "a lane owns whole blocks: 32 bytes, own scale"));
        all.add(staged(q8, 4, 2, 1, 8, EnumSet.of(Option.BLOCK32), "whole blocks, 2 outputs per warp"));
        all.add(dp4a(q8, false, 4, 1, "x to int8 per block, dp4a (llama.cpp-like)"));
        all.add(dp4a(q8, false, 8, 2, "int8 x, dp4a, 8 chunks, 2 outputs per warp"));
        all.add(dp4a(q8, true, 4, 2, "int8 x, dp4a, whole blocks, 2 outputs per warp"));
        all.add(baseline(q4));
        all.add(staged(q4, 1, 1, 1, 8, none, "main's loop rebuilt in the lab"));
        all.add(staged(q4, 4, 1, 1, 8, none, "4 blocks fetched before converting (a whole 4096 row)"));
        all.add(staged(q4, 8, 1, 1, 8, none, "8 blocks in flight"));
        all.add(staged(q4, 4, 2, 1, 8, none, "4 blocks, 2 outputs per warp"));
        all.add(staged(q4, 4, 4, 1, 8, none, "4 blocks, 4 outputs per warp"));
        all.add(staged(q4, 4, 2, 1, 8, EnumSet.of(Option.X_SHARED), "4 blocks, 2 outputs, x in shared memory"));
        all.add(dp4a(q4, false, 4, 1, "int8 x, dp4a (llama.cpp-like)"));
        all.add(dp4a(q4, false, 4, 2, "int8 x, dp4a, 2 outputs per warp"));
        return all;
    }

    /** The lab's helper kernels: x quantization, the launch floor, random fill. */
    static List<String> helperKernels() {
        return List.of("gemv_quantize_x", "gemv_empty", "gemv_tiny", "gemv_fill_words", "gemv_fill_scales");
    }

    /** Outputs one block computes. */
    int outputsPerBlock() {
        return warps / warpsPerRow * rowsPerWarp;
    }

    int threads() {
        return 32 * warps;
    }

    /** Whether its sums run in main's order, so that every output must have the baseline's bits. */
    boolean sameBitsAsBaseline() {
        return kind != Kind.DP4A && warpsPerRow == 1 && !options.contains(Option.BLOCK32);
    }

    /** Dynamic shared memory of a launch on {@code cols} inputs: x, when staged in shared memory. */
    int sharedBytes(int cols) {
        return options.contains(Option.X_SHARED) ? Float.BYTES * cols : 0;
    }
}
