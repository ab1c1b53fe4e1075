package dev.canopy.prefixtree;

import java.util.Objects;

/**
 * What the machine running the model can do, as the cost model needs it.
 *
 * <p>For a GPU the numbers come from configuration (sustained, not peak: a dense bf16 GEMM rate and
 * a measured copy bandwidth); for a CPU from a short calibration run, through {@link #measured}.
 *
 * @param name a label for reports
 * @param flopsPerSecond sustained floating-point operations per second of the forward pass
 * @param memoryBytesPerSecond sustained memory bandwidth in bytes per second
 * @param kvBudgetBytes memory set aside for the KV cache (running sequences plus cached prefixes)
 * @param stepOverheadSeconds fixed cost of one engine step (scheduling, kernel launches); may be 0
 */
public record HardwareProfile(
        String name, double flopsPerSecond, double memoryBytesPerSecond, long kvBudgetBytes, double stepOverheadSeconds) {

    public HardwareProfile {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("Cannot create hardware profile: name is blank");
        }
        if (!(flopsPerSecond > 0) || !(memoryBytesPerSecond > 0)) {
            throw new IllegalArgumentException("Cannot create hardware profile '" + name + "': flopsPerSecond "
                    + flopsPerSecond + " and memoryBytesPerSecond " + memoryBytesPerSecond + " must be > 0");
        }
        if (kvBudgetBytes <= 0) {
            throw new IllegalArgumentException("Cannot create hardware profile '" + name + "': kvBudgetBytes is " + kvBudgetBytes + "; it must be > 0");
        }
        if (!(stepOverheadSeconds >= 0) || Double.isInfinite(stepOverheadSeconds)) {
            throw new IllegalArgumentException("Cannot create hardware profile '" + name + "': stepOverheadSeconds is "
                    + stepOverheadSeconds + "; it must be a finite value >= 0");
        }
    }

    /**
     * A profile from numbers measured on this machine (the CPU calibration run: a timed matrix
     * multiply for FLOP/s, a timed large copy for bandwidth), with no fixed step overhead.
     */
    public static HardwareProfile measured(String name, double measuredFlopsPerSecond, double measuredBytesPerSecond, long kvBudgetBytes) {
        return new HardwareProfile(name, measuredFlopsPerSecond, measuredBytesPerSecond, kvBudgetBytes, 0.0);
    }

    /** The same machine with another KV budget. */
    public HardwareProfile withKvBudget(long bytes) {
        return new HardwareProfile(name, flopsPerSecond, memoryBytesPerSecond, bytes, stepOverheadSeconds);
    }

    /** FLOPs per byte at which compute and memory take equal time (the roofline ridge point). */
    public double balancePoint() {
        return flopsPerSecond / memoryBytesPerSecond;
    }
}
