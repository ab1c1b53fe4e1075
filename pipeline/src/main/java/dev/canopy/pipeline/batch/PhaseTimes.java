package dev.canopy.pipeline.batch;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Wall seconds of a run's consecutive phases, for the metrics: each phase lasts from the previous one's end. */
final class PhaseTimes {

    private final Map<String, Double> seconds = new LinkedHashMap<>();
    private long markNanos = System.nanoTime();

    /** Ends {@code phase} now (adding to it when it ended before) and starts the next one. */
    void end(String phase) {
        long now = System.nanoTime();
        seconds.merge(phase, (now - markNanos) / 1e9, Double::sum);
        markNanos = now;
    }

    /** Seconds by phase, in the order they first ended. */
    Map<String, Double> seconds() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(seconds));
    }
}
