package dev.canopy.executor.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * llama2.c {@code run.c}'s encode loop, written as plainly as possible (rescan every pair after
 * every merge): the reference the fast tokenizer must agree with. Plain text only, no special tokens.
 */
final class NaiveSentencePiece {

    private final Vocabulary vocabulary;
    private final Map<String, Integer> textPieces = new HashMap<>();
    private final Map<Integer, Integer> byteTokens = new HashMap<>();

    NaiveSentencePiece(Vocabulary vocabulary) {
        this.vocabulary = vocabulary;
        for (int id = 0; id < vocabulary.size(); id++) {
            TokenType type = vocabulary.type(id);
            if (type == TokenType.NORMAL || type == TokenType.USER_DEFINED) {
                textPieces.putIfAbsent(vocabulary.text(id), id);
            } else if (type == TokenType.BYTE) {
                byteTokens.put(Integer.parseInt(vocabulary.text(id).substring(3, 5), 16), id);
            }
        }
    }

    List<Integer> encode(String text, boolean addBos) {
        List<Integer> tokens = new ArrayList<>();
        String escaped = (text.isEmpty() ? "" : " " + text).replace(' ', '▁');
        escaped.codePoints().forEach(cp -> {
            String ch = Character.toString(cp);
            if (textPieces.containsKey(ch)) {
                tokens.add(textPieces.get(ch));
            } else {
                for (byte b : ch.getBytes(StandardCharsets.UTF_8)) {
                    tokens.add(byteTokens.get(b & 0xFF));
                }
            }
        });
        while (true) {
            float bestScore = Float.NEGATIVE_INFINITY;
            int bestId = -1;
            int bestIndex = -1;
            for (int i = 0; i + 1 < tokens.size(); i++) {
                Integer merged = textPieces.get(textOf(tokens.get(i)) + textOf(tokens.get(i + 1)));
                if (merged != null && vocabulary.score(merged) > bestScore) {
                    bestScore = vocabulary.score(merged);
                    bestId = merged;
                    bestIndex = i;
                }
            }
            if (bestIndex < 0) {
                break;
            }
            tokens.set(bestIndex, bestId);
            tokens.remove(bestIndex + 1);
        }
        if (addBos) {
            tokens.addFirst(vocabulary.specialIds().bos());
        }
        return tokens;
    }

    /** Byte tokens get a text no piece can contain, so they never merge. */
    private String textOf(int id) {
        return vocabulary.type(id) == TokenType.BYTE ? "\u0000byte" + id + "\u0000" : vocabulary.text(id);
    }
}
