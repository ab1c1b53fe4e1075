package dev.canopy.prefixtree;

/**
 * Estimated time of one engine step under a roofline model.
 *
 * @param computeSeconds the step's FLOPs over the machine's FLOP/s
 * @param memorySeconds the step's bytes moved (weights once, KV read and written) over the bandwidth
 * @param overheadSeconds the fixed per-step cost
 */
public record StepCost(double computeSeconds, double memorySeconds, double overheadSeconds) {

    /** The step's time: compute and memory overlap, so the slower one decides, plus the fixed cost. */
    public double seconds() {
        return Math.max(computeSeconds, memorySeconds) + overheadSeconds;
    }

    /** Whether the step waits on compute rather than memory. */
    public boolean computeBound() {
        return computeSeconds >= memorySeconds;
    }
}
