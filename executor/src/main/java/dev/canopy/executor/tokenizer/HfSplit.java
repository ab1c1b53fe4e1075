package dev.canopy.executor.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hugging Face's {@code Split}: the pattern's matches are the delimiters ({@code invert}: the
 * matches are the words and the text between them the delimiters), and {@link Behaviour} says
 * what happens to each delimiter. Empty pieces are dropped; nothing else is lost unless the
 * behaviour is {@link Behaviour#REMOVED}.
 */
record HfSplit(Pattern pattern, Behaviour behaviour, boolean invert) {

    /** What becomes of a delimiter. */
    enum Behaviour {
        /** dropped */
        REMOVED,
        /** a word of its own */
        ISOLATED,
        /** appended to the word before it */
        MERGED_WITH_PREVIOUS,
        /** prepended to the word after it */
        MERGED_WITH_NEXT,
        /** a word of its own, joined with adjacent delimiters */
        CONTIGUOUS
    }

    private record Piece(String text, boolean delimiter) {}

    List<String> split(String text) {
        List<String> words = new ArrayList<>();
        boolean previousDelimiter = false;
        boolean mergeIntoNext = false;
        for (Piece piece : pieces(text)) {
            boolean delimiter = piece.delimiter();
            String t = piece.text();
            if (mergeIntoNext && !delimiter) {
                t = words.removeLast() + t; // a delimiter joins the word after it, not another delimiter
            }
            mergeIntoNext = false;
            if (!delimiter) {
                words.add(t);
            } else {
                switch (behaviour) {
                    case REMOVED -> {}
                    case ISOLATED -> words.add(t);
                    case MERGED_WITH_PREVIOUS -> {
                        if (!words.isEmpty() && !previousDelimiter) {
                            words.add(words.removeLast() + t);
                        } else {
                            words.add(t);
                        }
                    }
                    case MERGED_WITH_NEXT -> {
                        words.add(t);
                        mergeIntoNext = true;
                    }
                    case CONTIGUOUS -> {
                        if (previousDelimiter && !words.isEmpty()) {
                            words.add(words.removeLast() + t);
                        } else {
                            words.add(t);
                        }
                    }
                }
            }
            previousDelimiter = delimiter;
        }
        return words;
    }

    /** The text as alternating non-empty pieces, each marked as a delimiter or not. */
    private List<Piece> pieces(String text) {
        List<Piece> pieces = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        int end = 0;
        while (m.find()) {
            if (m.end() == m.start()) {
                continue;
            }
            if (m.start() > end) {
                pieces.add(new Piece(text.substring(end, m.start()), invert));
            }
            pieces.add(new Piece(m.group(), !invert));
            end = m.end();
        }
        if (end < text.length()) {
            pieces.add(new Piece(text.substring(end), invert));
        }
        return pieces;
    }
}
