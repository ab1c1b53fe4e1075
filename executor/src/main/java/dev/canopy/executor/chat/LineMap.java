package dev.canopy.executor.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Maps a line and column of the source jinjava parses back to the line of the template as written.
 * They differ where {@link JinjaWhitespace} removed a newline after a block tag ({@code trim_blocks}).
 */
final class LineMap {

    /** A newline removed at {@code column} (0-based) of parsed line {@code line}. */
    private record Removal(int line, int column) {}

    /** Original line of the first character of each parsed line; index 0 is unused. */
    private final List<Integer> firstOriginalLine = new ArrayList<>(List.of(0, 1));
    private final List<Removal> removals = new ArrayList<>();

    /** Records that the parsed text starts a new line, which is original line {@code originalLine}. */
    void newParsedLine(int originalLine) {
        firstOriginalLine.add(originalLine);
    }

    /** Records that a newline was removed at {@code column} of the current parsed line. */
    void removedNewline(int column) {
        removals.add(new Removal(firstOriginalLine.size() - 1, column));
    }

    /**
     * The original line of what jinjava reports at {@code line} and {@code position} (its 1-based-ish
     * column: a token after a removed newline at 0-based column c has a position above c), or empty if
     * jinjava gave no line.
     */
    OptionalInt original(int line, int position) {
        if (line <= 0 || line >= firstOriginalLine.size()) {
            return OptionalInt.empty();
        }
        int original = firstOriginalLine.get(line);
        for (Removal r : removals) {
            if (r.line() == line && position > r.column()) {
                original++;
            }
        }
        return OptionalInt.of(original);
    }
}
