package dev.canopy.executor.cuda;

import dev.canopy.executor.tensor.GgmlType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

/**
 * The GEMV lab: every batch-1 GEMV design of {@link GemvVariant#all()} on random weights of each Llama 2 7B shape
 * ({@link GemvShape#LLAMA_7B}), checked against main's kernel and timed, with the launch floor first; the report
 * ({@link GemvLabReport}) is rewritten to {@code <out dir>/gemv-lab.md} after every shape, so a cut-off run keeps what
 * it measured. Progress lines go to stdout; the run keeps to {@link #TOTAL_SECONDS} (a shape is skipped when too little
 * is left) and a hung stage ends it ({@link BenchWatchdog}).
 *
 * <p>Usage: {@code GemvLab <out dir>}; exits 2 without a GPU.
 */
public final class GemvLab {

    /** The whole run's budget: with the watchdog's grace it stays under a minute. */
    static final double TOTAL_SECONDS = 35;
    static final int CALLS = 50;
    static final int TRIALS = 5;
    private static final int FLOOR_CALLS = 200;
    private static final int CPU_CHECKED_ROWS = 8;
    private static final long SEED = 7;

    private final GemvBench bench;
    private final BenchWatchdog watch;

    GemvLab(GemvBench bench, BenchWatchdog watch) {
        this.bench = bench;
        this.watch = watch;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: GemvLab <out dir>");
            System.exit(1);
        }
        CudaAvailability a = CudaBackend.availability();
        if (!a.available()) {
            System.err.println("No GEMV lab: " + a.detail());
            System.exit(2);
        }
        Path report = Files.createDirectories(Path.of(args[0])).resolve("gemv-lab.md");
        try (BenchWatchdog watch = new BenchWatchdog(System.out, TOTAL_SECONDS);
             CudaContext context = CudaContext.open(0);
             GemvBench bench = new GemvBench(context)) {
            watch.log("%s", context.info().describe());
            new GemvLab(bench, watch).run(context.info(), report);
            watch.log("done: %s", report);
        }
    }

    private void run(DeviceInfo info, Path out) throws IOException {
        CUdevice device = new CUdevice();
        CudaException.check(JCudaDriver.cuDeviceGet(device, info.ordinal()), "get cuda:" + info.ordinal());
        MemoryPeak peak = MemoryPeak.of(attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE),
                attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH), info.name());
        long l2 = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE);
        watch.log("peak memory bandwidth %s; L2 %d bytes", peak.describe(), l2);
        GemvLabReport report = new GemvLabReport(info.describe(), peak, l2, CALLS, TRIALS);
        int done = 0;
        for (GemvShape shape : GemvShape.LLAMA_7B) {
            if (!watch.hasTime(5, shape.describe())) {
                break;
            }
            int copies = shape.copiesBeyondL2(l2);
            watch.stage(String.format("%s: %d weight copies of %.1f MB", shape.describe(), copies,
                    shape.imageBytes() / 1e6), 12);
            try (GemvBench.Workspace w = bench.load(shape, copies, SEED + done)) {
                if (done == 0) {
                    bench.microsPerCall(GemvVariant.baseline(GgmlType.Q8_0), w, CALLS, 4 * TRIALS); // clocks up
                    report.floor(floor(w));
                }
                for (GgmlType type : List.of(GgmlType.Q8_0, GgmlType.Q4_0)) {
                    report.shape(shape, type, measure(w, type));
                }
            }
            done++;
            Files.writeString(out, report.text(done));
        }
    }

    /** Empty and tiny kernels back to back in a graph, and the tiny one launched one by one. */
    private List<GemvLabReport.Floor> floor(GemvBench.Workspace w) {
        List<GemvLabReport.Floor> floors = new ArrayList<>();
        String graph = "graph of " + FLOOR_CALLS;
        for (String kernel : List.of("gemv_empty", "gemv_tiny")) {
            floors.add(new GemvLabReport.Floor(kernel, graph,
                    bench.timeGraph(FLOOR_CALLS, TRIALS, i -> bench.enqueueFloor(kernel, w))));
        }
        floors.add(new GemvLabReport.Floor("gemv_tiny", "one by one from Java", bench.timeStream(FLOOR_CALLS, TRIALS,
                i -> bench.enqueueFloor("gemv_tiny", w))));
        floors.forEach(f -> watch.log("launch floor %s, %s: %.2f µs", f.kernel(), f.how(), f.micros()));
        return floors;
    }

    /**
     * Every variant of {@code type} checked against the baseline (itself against the CPU), then timed; a variant the
     * driver refuses is logged as FAILED and left out.
     */
    private List<GemvLabReport.Row> measure(GemvBench.Workspace w, GgmlType type) {
        List<GemvLabReport.Row> rows = new ArrayList<>();
        float[] baseline = null;
        for (GemvVariant v : GemvVariant.all()) {
            if (v.type() != type) {
                continue;
            }
            try {
                baseline = measure(w, v, baseline, rows);
            } catch (CudaException e) {
                if (baseline == null) {
                    throw e; // nothing to compare with
                }
                watch.log("FAILED %s on %s: %s", v.kernel(), w.shape.describe(), e.getMessage());
            }
        }
        return rows;
    }

    /** Adds {@code v}'s row to {@code rows}; returns the baseline's outputs (v's own when {@code baseline} is null). */
    private float[] measure(GemvBench.Workspace w, GemvVariant v, float[] baseline, List<GemvLabReport.Row> rows) {
        GgmlType type = v.type();
        float[] y = bench.outputs(v, w);
        String check;
        GemvAgreement agreement;
        if (baseline == null) {
            baseline = y;
            agreement = GemvAgreement.of(y, y);
            double ratio = bench.cpuErrorRatio(type, w, y, CPU_CHECKED_ROWS);
            check = String.format("baseline: rows 0-%d vs the CPU %s (error %.2f of the fp32 bound)",
                    CPU_CHECKED_ROWS - 1, ratio <= 1 ? "ok" : "FAILED", ratio);
        } else {
            agreement = GemvAgreement.of(baseline, y);
            check = agreement.describe() + (v.sameBitsAsBaseline() == agreement.sameBits() ? ""
                    : v.sameBitsAsBaseline() ? " (EXPECTED same bits)" : " (not expected)");
        }
        double micros = bench.microsPerCall(v, w, CALLS, TRIALS);
        GemvLabReport.Row row = new GemvLabReport.Row(v, micros, w.shape.weightBytes(type),
                bench.stats(v, w.shape.cols()), agreement.sameBits(), check);
        rows.add(row);
        watch.log("%s %s %-26s %8.2f µs %6.0f GB/s  %s", type, w.shape.describe(), v.kernel(), micros,
                row.bytes() / (micros * 1e3), check);
        return baseline;
    }

    private static int attribute(CUdevice device, int attribute) {
        int[] value = new int[1];
        return JCudaDriver.cuDeviceGetAttribute(value, attribute, device) == 0 ? value[0] : 0;
    }
}
