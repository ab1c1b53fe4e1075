package dev.canopy.executor.structured;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The byte trie of a set of ASCII property names as grammar nodes, for "any name but these" (see
 * {@code ObjectGrammar.otherName}): the paths into the trie, the paths that leave it by an ASCII byte, and
 * the prefixes that are not names. Each takes the names and the depth reached (0 at the root).
 */
final class NameTrie {

    private NameTrie() {}

    /** Any path from the root: every prefix of a name, the names themselves and the empty text included. */
    static GrammarNode prefix(List<byte[]> names, int depth) {
        List<GrammarNode> options = new ArrayList<>();
        for (int b : nextBytes(names, depth)) {
            options.add(GrammarNode.seq(new GrammarNode.Bytes(b, b), prefix(below(names, depth, b), depth + 1)));
        }
        options.add(GrammarNode.EMPTY);
        return GrammarNode.alt(options);
    }

    /**
     * A path into the trie, then one byte of a plain string character (quote and backslash excluded, as in
     * JSON text) that no name continues with there.
     */
    static GrammarNode leftByAscii(List<byte[]> names, int depth) {
        TreeSet<Integer> next = nextBytes(names, depth);
        List<GrammarNode> options = new ArrayList<>();
        for (int b : next) {
            options.add(GrammarNode.seq(new GrammarNode.Bytes(b, b), leftByAscii(below(names, depth, b), depth + 1)));
        }
        int from = 0x20;
        for (int b = 0x20; b <= 0x80; b++) { // runs of 0x20..0x7F without the quote, the backslash and the next bytes
            if (b == 0x80 || b == '"' || b == '\\' || next.contains(b)) {
                if (from < b) {
                    options.add(new GrammarNode.Bytes(from, b - 1));
                }
                from = b + 1;
            }
        }
        return GrammarNode.alt(options);
    }

    /** The prefixes of names (the empty text included) that are not themselves names. */
    static GrammarNode properPrefix(List<byte[]> names, int depth) {
        List<GrammarNode> options = new ArrayList<>();
        for (int b : nextBytes(names, depth)) {
            options.add(GrammarNode.seq(new GrammarNode.Bytes(b, b), properPrefix(below(names, depth, b), depth + 1)));
        }
        if (names.stream().noneMatch(n -> n.length == depth)) {
            options.add(GrammarNode.EMPTY);
        }
        return GrammarNode.alt(options);
    }

    private static TreeSet<Integer> nextBytes(List<byte[]> names, int depth) {
        TreeSet<Integer> next = new TreeSet<>();
        for (byte[] n : names) {
            if (n.length > depth) {
                next.add(n[depth] & 0xFF);
            }
        }
        return next;
    }

    private static List<byte[]> below(List<byte[]> names, int depth, int b) {
        return names.stream().filter(n -> n.length > depth && (n[depth] & 0xFF) == b).toList();
    }
}
