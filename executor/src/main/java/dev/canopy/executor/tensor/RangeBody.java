package dev.canopy.executor.tensor;

/** The work of one chunk of a {@link Parallel#forRange parallel loop}: indices {@code [start, end)}. */
@FunctionalInterface
public interface RangeBody {

    /** Processes indices {@code start} (inclusive) to {@code end} (exclusive). */
    void run(int start, int end);
}
