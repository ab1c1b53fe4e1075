package dev.canopy.executor.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Finds special-token texts in the input. Scanning left to right, at each position the longest
 * special text that starts there wins. Control tokens are matched only when special parsing is on;
 * user-defined tokens are always matched (llama.cpp and Hugging Face tokenizers do the same).
 */
final class SpecialTokenSplitter {

    private record Candidate(String text, int id, boolean control) {}

    /** Tokenizes ordinary text (a piece of the input between special tokens). */
    @FunctionalInterface
    interface TextEncoder {
        /**
         * @param followsSpecial the text starts the input or comes right after a special token
         */
        int[] encode(String text, boolean followsSpecial);
    }

    private final Map<Character, List<Candidate>> byFirstChar; // each list longest text first

    SpecialTokenSplitter(Vocabulary vocabulary) {
        Map<Character, List<Candidate>> map = new HashMap<>();
        for (int id = 0; id < vocabulary.size(); id++) {
            TokenType type = vocabulary.type(id);
            String text = vocabulary.text(id);
            if (type.isSpecial() && !text.isEmpty()) {
                map.computeIfAbsent(text.charAt(0), c -> new ArrayList<>())
                        .add(new Candidate(text, id, type == TokenType.CONTROL));
            }
        }
        map.values().forEach(list -> list.sort(Comparator.comparingInt((Candidate c) -> c.text().length()).reversed()));
        this.byFirstChar = map;
    }

    /**
     * Encodes {@code text}: {@code bos} first when given, special tokens as their ids and the text
     * between them by {@code textEncoder}.
     */
    int[] encode(String text, OptionalInt bos, boolean parseSpecial, TextEncoder textEncoder) {
        TokenList out = new TokenList();
        bos.ifPresent(out::add);
        boolean followsSpecial = true;
        for (Fragment fragment : split(text, parseSpecial)) {
            switch (fragment) {
                case Fragment.Text t -> out.addAll(textEncoder.encode(t.text(), followsSpecial));
                case Fragment.Special s -> out.add(s.id());
            }
            followsSpecial = fragment instanceof Fragment.Special;
        }
        return out.toArray();
    }

    /** Splits {@code text} into ordinary text and special tokens, in order. */
    List<Fragment> split(String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        int textStart = 0;
        int i = 0;
        while (i < text.length()) {
            Optional<Candidate> found = matchAt(text, i, parseSpecial);
            if (found.isEmpty()) {
                i++;
                continue;
            }
            Candidate match = found.get();
            if (textStart < i) {
                fragments.add(new Fragment.Text(text.substring(textStart, i)));
            }
            fragments.add(new Fragment.Special(match.id()));
            i += match.text().length();
            textStart = i;
        }
        if (textStart < text.length()) {
            fragments.add(new Fragment.Text(text.substring(textStart)));
        }
        return fragments;
    }

    /** The longest allowed special text starting at {@code i}. */
    private Optional<Candidate> matchAt(String text, int i, boolean parseSpecial) {
        for (Candidate c : byFirstChar.getOrDefault(text.charAt(i), List.of())) {
            if ((parseSpecial || !c.control()) && text.startsWith(c.text(), i)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
