package dev.canopy.executor.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * A hand-made byte-level BPE vocabulary: the 256 byte characters (token id = byte value), the results
 * of a few merges, "hello" (a token no merge reaches), and three special tokens. Public for the fuzz
 * tests.
 */
public final class TinyByteLevelVocab {

    /** Merge rules in rank order. "x y" makes "xy", which is deliberately not a token. */
    static final List<String> MERGES = List.of("Ġ t", "h e", "Ġt he", "i n", "Ġ c", "a t", "Ġc at", "1 2", "12 3",
            "l o", "lo w", "e r", "low er", "x y", "xy z");
    static final String BOS = "<|bos|>";
    static final String EOT = "<|eot|>";
    static final String USER = "<|user|>";
    /** A control token that starts with another one, to check that the longest match wins. */
    static final String EOT_NEWLINE = "<|eot|>\n";

    private TinyByteLevelVocab() {}

    static List<String> tokens() {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(ByteLevelAlphabet.charOf(b)));
        }
        for (String merge : MERGES) {
            String merged = merge.replace(" ", "");
            if (!merged.equals("xy")) {
                tokens.add(merged);
            }
        }
        tokens.addAll(List.of("hello", BOS, EOT, USER, EOT_NEWLINE));
        return tokens;
    }

    /** Metadata for this vocabulary with pre-tokenizer {@code pre}; bos, eos = eot, and typed specials. */
    static TokenizerMetadata metadata(String pre) {
        List<String> tokens = tokens();
        int[] types = new int[tokens.size()];
        for (int i = 0; i < types.length; i++) {
            String t = tokens.get(i);
            types[i] = t.equals(USER) ? TokenType.USER_DEFINED.code()
                    : t.startsWith("<|") ? TokenType.CONTROL.code() : TokenType.NORMAL.code();
        }
        return TokenizerMetadata.empty()
                .string(TokenizerLoader.MODEL, "gpt2")
                .string(TokenizerLoader.PRE, pre)
                .strings(TokenizerLoader.TOKENS, tokens)
                .ints(TokenizerLoader.TOKEN_TYPE, types)
                .strings(TokenizerLoader.MERGES, MERGES)
                .uint32(TokenizerLoader.BOS_ID, tokens.indexOf(BOS))
                .uint32(TokenizerLoader.EOS_ID, tokens.indexOf(EOT));
    }

    /** A byte-level BPE tokenizer over this vocabulary with pre-tokenizer {@code pre} (e.g. "gpt2", "llama-bpe"). */
    public static Tokenizer load(String pre) {
        return TokenizerLoader.load(metadata(pre).build());
    }

    /** The id of {@code token}, which must be in the vocabulary. */
    static int id(String token) {
        int id = tokens().indexOf(token);
        if (id < 0) {
            throw new IllegalArgumentException("Cannot find token '" + token + "' in the tiny vocabulary");
        }
        return id;
    }
}
