package dev.canopy.executor.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;

/**
 * GPU time of every kernel launch, summed by what it computed (the kernel and the weight it read, without the
 * layer: {@code matmul_q8_0_c16_r1 attn_output}), for finding where a step's time goes on a machine without a
 * profiler. Each launch is bracketed by two CUDA events on its stream, so only launches made kernel by kernel
 * count (graphs off; {@link CudaBackend#profile}). Not thread-safe; for benchmarks.
 */
final class KernelProfile implements AutoCloseable {

    /** A launch whose events have not been read yet. */
    private record Pending(String label, CUevent start, CUevent end) {}

    /** GPU milliseconds and launches of one label. */
    private static final class Total {
        double millis;
        long launches;
    }

    private final List<Pending> pending = new ArrayList<>();
    private final Map<String, Total> totals = new LinkedHashMap<>();

    /** Runs {@code launch} (which queues one kernel on {@code stream}) between two events on the stream. */
    void time(String label, CUstream stream, Runnable launch) {
        CUevent start = event();
        CUevent end = event();
        CudaException.check(cuEventRecord(start, stream), "record a profiling event");
        launch.run();
        CudaException.check(cuEventRecord(end, stream), "record a profiling event");
        pending.add(new Pending(label, start, end));
    }

    /** Waits for the launches timed so far and adds their GPU times to the totals. */
    void collect() {
        float[] ms = new float[1];
        for (Pending p : pending) {
            CudaException.check(cuEventSynchronize(p.end()), "wait for kernel " + p.label());
            CudaException.check(cuEventElapsedTime(ms, p.start(), p.end()), "time kernel " + p.label());
            Total t = totals.computeIfAbsent(p.label(), k -> new Total());
            t.millis += ms[0];
            t.launches++;
            cuEventDestroy(p.start());
            cuEventDestroy(p.end());
        }
        pending.clear();
    }

    /** GPU milliseconds of every label collected so far. */
    double totalMillis() {
        return totals.values().stream().mapToDouble(t -> t.millis).sum();
    }

    /**
     * A markdown table, most expensive first: per label its launches per step, microseconds per launch and
     * per step, and share of the kernels' time; {@code steps} is the number of steps collected.
     */
    String table(int steps) {
        double all = totalMillis();
        StringBuilder out = new StringBuilder("| kernel | launches/step | µs/launch | µs/step | share |\n|---|---|---|---|---|\n");
        totals.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue().millis, a.getValue().millis))
                .forEach(e -> out.append(String.format("| %s | %.1f | %.1f | %.1f | %.1f%% |%n", e.getKey(),
                        (double) e.getValue().launches / steps, 1000 * e.getValue().millis / e.getValue().launches,
                        1000 * e.getValue().millis / steps, 100 * e.getValue().millis / all)));
        out.append(String.format("| all kernels | | | %.1f | |%n", 1000 * all / steps));
        return out.toString();
    }

    private static CUevent event() {
        CUevent e = new CUevent();
        CudaException.check(cuEventCreate(e, CUevent_flags.CU_EVENT_DEFAULT), "create a profiling event");
        return e;
    }

    @Override
    public void close() {
        for (Pending p : pending) {
            cuEventDestroy(p.start());
            cuEventDestroy(p.end());
        }
        pending.clear();
    }
}
