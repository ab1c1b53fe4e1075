package dev.canopy.executor.model;

/**
 * Sliding-window attention on the "local" layers: a query at position i sees key position j only
 * when {@code 0 <= i - j < size}. Local layers rotate with their own RoPE base.
 *
 * @param size           window length in tokens
 * @param pattern        every {@code pattern} layers, the first {@code pattern - 1} are local and the last global
 *                       (llama.cpp's {@code set_swa_pattern}); 1 makes every layer local
 * @param localRopeTheta RoPE base of the local layers
 */
public record SlidingWindow(int size, int pattern, float localRopeTheta) {

    public SlidingWindow {
        if (size <= 0 || pattern <= 0 || !(localRopeTheta > 0)) {
            throw new IllegalArgumentException("Cannot build sliding window: size, pattern and local rope base must "
                    + "be positive, got size=" + size + " pattern=" + pattern + " localRopeTheta=" + localRopeTheta);
        }
    }

    /** Whether {@code layer} is local (windowed). */
    public boolean isLocal(int layer) {
        return pattern == 1 || layer % pattern < pattern - 1;
    }
}
