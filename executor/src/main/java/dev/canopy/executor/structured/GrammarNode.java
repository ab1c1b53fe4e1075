package dev.canopy.executor.structured;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A byte-level grammar expression before it is laid out as an automaton: byte ranges, sequences,
 * alternatives, bounded repetition and calls to named rules (which make recursion possible).
 */
sealed interface GrammarNode {

    /** One byte in {@code lo..hi} (inclusive, 0..255). */
    record Bytes(int lo, int hi) implements GrammarNode {}

    /** Each part in order. */
    record Seq(List<GrammarNode> parts) implements GrammarNode {}

    /** Any one of the options; no options matches nothing. */
    record Alt(List<GrammarNode> options) implements GrammarNode {}

    /** {@code body} repeated {@code min} to {@code max} times; {@code max} empty means unbounded. */
    record Repeat(GrammarNode body, int min, java.util.OptionalInt max) implements GrammarNode {}

    /** The rule with this id, from {@link RuleSet}. */
    record Call(int rule) implements GrammarNode {}

    /**
     * {@code body}, from whose start any plain string text (see {@link StringBodyLoop#isPlain}) can be read
     * without leaving it, known from how it was built (any property name but the listed ones). The automaton
     * marks its start, so {@link PlainLoops} answers yes there without exploring the body's sets one by one.
     */
    record ReadsAnyText(GrammarNode body) implements GrammarNode {}

    GrammarNode EMPTY = new Seq(List.of());
    GrammarNode NOTHING = new Alt(List.of());

    static GrammarNode literal(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        List<GrammarNode> parts = new ArrayList<>(bytes.length);
        for (byte b : bytes) {
            parts.add(new Bytes(b & 0xFF, b & 0xFF));
        }
        return parts.size() == 1 ? parts.get(0) : new Seq(parts);
    }

    static GrammarNode seq(GrammarNode... parts) {
        return new Seq(List.of(parts));
    }

    static GrammarNode alt(List<GrammarNode> options) {
        return options.size() == 1 ? options.get(0) : new Alt(List.copyOf(options));
    }

    static GrammarNode optional(GrammarNode body) {
        return new Alt(List.of(body, EMPTY));
    }

    static GrammarNode star(GrammarNode body) {
        return new Repeat(body, 0, java.util.OptionalInt.empty());
    }

    static GrammarNode repeat(GrammarNode body, int min, int max) {
        return new Repeat(body, min, max < 0 ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(max));
    }
}
