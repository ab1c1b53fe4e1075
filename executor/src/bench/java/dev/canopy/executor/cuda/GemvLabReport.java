package dev.canopy.executor.cuda;

import dev.canopy.executor.tensor.GgmlType;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The GEMV lab's markdown report ({@code gemv-lab.md}): a table per shape and format, then a 7B decode estimate. */
final class GemvLabReport {

    /** A kernel's resources: registers and local (spilled) bytes per thread, resident warps per multiprocessor. */
    record KernelStats(int registers, int localBytes, int warpsPerSm) {}

    /**
     * One measured variant.
     *
     * @param micros GPU time per call
     * @param bytes    weight bytes a call reads
     * @param sameBits whether every output has the baseline's bits (true for the baseline)
     * @param check    how its outputs compare with the baseline's ({@link GemvAgreement#describe}, or the CPU check)
     */
    record Row(GemvVariant variant, double micros, long bytes, KernelStats stats, boolean sameBits, String check) {}

    /** Time per kernel of {@code kernel} launched as {@code how}. */
    record Floor(String kernel, String how, double micros) {}

    /** Kernels in one decode step of the 7B-shaped model (CudaBenchmark's kernel profile). */
    static final int KERNELS_PER_7B_TOKEN = 290;

    private final MemoryPeak peak;
    private final StringBuilder text = new StringBuilder();
    private final Map<String, double[]> perToken = new LinkedHashMap<>(); // variant -> {µs per token, shapes}

    /** Starts the report: device, peak and how the numbers were taken. */
    GemvLabReport(String device, MemoryPeak peak, long l2Bytes, int calls, int trials) {
        this.peak = peak;
        text.append("# GEMV lab: batch-1 y = W x on ").append(device).append("\n\n")
                .append("Peak memory bandwidth: ").append(peak.describe()).append(". L2 cache ")
                .append(String.format("%.1f MiB", l2Bytes / 1048576.0))
                .append(": each shape's weights are cycled through copies filling 4x the L2, so every call reads them ")
                .append("from memory as a decode step does; x (fp32) stays in L2.\n\n")
                .append("µs/call: median of ").append(trials).append(" replays of a CUDA graph of ").append(calls)
                .append(" calls (the graph's launch gaps included, as the engine runs). GB/s: weight bytes (quants + ")
                .append("fp16 scales) / time. regs and local B: registers and local (spill) bytes per thread. ")
                .append("warps/SM: resident warps the occupancy calculator allows. vs baseline: `same bits`, or ")
                .append("max |y - baseline| / max |baseline|. dp4a rows include their x quantization kernel.\n");
    }

    /** The launch-floor table. */
    void floor(List<Floor> floors) {
        text.append("\n## Launch floor\n\n| kernel | launched | µs per kernel |\n|---|---|---|\n");
        for (Floor f : floors) {
            text.append(String.format("| %s | %s | %.2f |%n", f.kernel(), f.how(), f.micros()));
        }
        floors.stream().filter(f -> f.how().startsWith("graph")).mapToDouble(Floor::micros).max().ifPresent(us ->
                text.append(String.format("%nA 7B decode step runs about %d kernels: at %.2f µs each, %.0f µs of launch "
                        + "floor per token in a graph.%n", KERNELS_PER_7B_TOKEN, us, KERNELS_PER_7B_TOKEN * us)));
    }

    /** The table of {@code shape} in {@code type}, then its fastest variants; adds the rows to the 7B estimate. */
    void shape(GemvShape shape, GgmlType type, List<Row> rows) {
        text.append(String.format("%n## %s %s: %.1f MB%n%n", type, shape.describe(), shape.weightBytes(type) / 1e6))
                .append("| variant | µs/call | GB/s | % peak | regs | local B | warps/SM | vs baseline | design |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            text.append(String.format("| %s | %.2f | %.0f | %.1f%% | %d | %d | %d | %s | %s |%n", r.variant().kernel(),
                    r.micros(), r.bytes() / (r.micros() * 1e3), peak.percentOf(r.bytes(), r.micros()),
                    r.stats().registers(), r.stats().localBytes(), r.stats().warpsPerSm(), r.check(),
                    r.variant().design()));
            double[] t = perToken.computeIfAbsent(r.variant().kernel(), k -> new double[2]);
            t[0] += shape.perToken() * r.micros();
            t[1]++;
        }
        rows.stream().min(Comparator.comparingDouble(Row::micros)).ifPresent(r ->
                text.append("\nFastest: ").append(describe(r)));
        rows.stream().filter(Row::sameBits)
                .min(Comparator.comparingDouble(Row::micros))
                .ifPresent(r -> text.append("; fastest with the baseline's bits: ").append(describe(r)));
        text.append(".\n");
    }

    private String describe(Row r) {
        return String.format("%s %.2f µs (%.1f%% of peak)", r.variant().kernel(), r.micros(),
                peak.percentOf(r.bytes(), r.micros()));
    }

    /**
     * The report so far, ending with each variant's GEMV time per 7B token (for variants measured on all
     * {@code shapes} shapes; gate and up as two calls) and the tokens/s it alone would allow.
     */
    String text(int shapes) {
        StringBuilder out = new StringBuilder(text);
        out.append("\n## 7B decode step: GEMV time per token\n\nSum over the shapes above of calls per token x µs/call ")
                .append("(launch floor included once per call); tok/s: if the step did nothing else.\n\n")
                .append("| variant | GEMV µs/token | tok/s bound |\n|---|---|---|\n");
        perToken.entrySet().stream().filter(e -> e.getValue()[1] == shapes)
                .sorted(Comparator.comparingDouble(e -> e.getValue()[0]))
                .forEach(e -> out.append(String.format("| %s | %.0f | %.0f |%n", e.getKey(), e.getValue()[0],
                        1e6 / e.getValue()[0])));
        return out.toString();
    }
}
