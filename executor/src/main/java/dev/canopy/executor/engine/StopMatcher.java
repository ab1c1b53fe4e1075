package dev.canopy.executor.engine;

import java.util.List;
import java.util.OptionalInt;

/**
 * Finds the first stop string in a growing completion text. Text is appended piece by piece; a
 * stop string may span several pieces. The matcher only searches the region where a new match can
 * start, so the cost per piece is bounded by the longest stop string.
 */
final class StopMatcher {

    private final List<String> stops;
    private final int longest;
    private final StringBuilder text = new StringBuilder();

    StopMatcher(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
        this.longest = this.stops.stream().mapToInt(String::length).max().orElse(0);
    }

    /**
     * Appends {@code piece} and returns the index in the whole text where the earliest stop string
     * begins, if one is now complete.
     */
    OptionalInt append(String piece) {
        int searchFrom = Math.max(0, text.length() - longest + 1);
        text.append(piece);
        if (stops.isEmpty()) {
            return OptionalInt.empty();
        }
        int best = -1;
        for (String s : stops) {
            int at = text.indexOf(s, searchFrom);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best < 0 ? OptionalInt.empty() : OptionalInt.of(best);
    }

    /** The text appended so far. */
    String text() {
        return text.toString();
    }
}
