package dev.canopy.executor.tokenizer;

import dev.canopy.executor.gguf.GgufMetadata;
import dev.canopy.executor.gguf.ModelFormatException;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Builds the tokenizer a GGUF file describes from its {@code tokenizer.ggml.*} metadata:
 * {@code model} {@code llama} gives a {@link SentencePieceTokenizer}, {@code gpt2} a
 * {@link Gpt2BpeTokenizer}. Every inconsistency is a {@link ModelFormatException} naming the key.
 */
public final class TokenizerLoader {

    public static final String MODEL = "tokenizer.ggml.model";
    public static final String TOKENS = "tokenizer.ggml.tokens";
    public static final String SCORES = "tokenizer.ggml.scores";
    public static final String TOKEN_TYPE = "tokenizer.ggml.token_type";
    public static final String MERGES = "tokenizer.ggml.merges";
    public static final String PRE = "tokenizer.ggml.pre";
    public static final String BOS_ID = "tokenizer.ggml.bos_token_id";
    public static final String EOS_ID = "tokenizer.ggml.eos_token_id";
    public static final String EOT_ID = "tokenizer.ggml.eot_token_id";
    public static final String EOM_ID = "tokenizer.ggml.eom_token_id";
    public static final String UNKNOWN_ID = "tokenizer.ggml.unknown_token_id";
    public static final String ADD_BOS = "tokenizer.ggml.add_bos_token";
    public static final String ADD_SPACE_PREFIX = "tokenizer.ggml.add_space_prefix";

    /** llama.cpp's default bos id for SentencePiece vocabularies without {@code bos_token_id}. */
    private static final int SENTENCEPIECE_DEFAULT_BOS = 1;
    /** Special ids of -1 (or 2^32 - 1 when stored unsigned) mean "no such token", as in llama.cpp. */
    private static final long UNSET_UNSIGNED = 0xFFFF_FFFFL;

    private TokenizerLoader() {}

    /**
     * The tokenizer described by {@code metadata}.
     *
     * @throws ModelFormatException when the tokenizer model is not {@code llama} or {@code gpt2}, an
     *     array is missing or has the wrong length, a token type code is unknown, a special id is out
     *     of range, or the pre-tokenizer is not supported
     */
    public static Tokenizer load(GgufMetadata metadata) {
        String model = metadata.getString(MODEL);
        return switch (model) {
            case "llama" -> {
                Vocabulary vocabulary = vocabulary(metadata, true, true);
                boolean addSpacePrefix = metadata.getBoolOpt(ADD_SPACE_PREFIX).orElse(true);
                yield build(metadata, () -> new SentencePieceTokenizer(vocabulary, addSpacePrefix));
            }
            case "gpt2" -> {
                BpePreTokenizer pre = preTokenizer(metadata);
                Vocabulary vocabulary = vocabulary(metadata, false, pre == BpePreTokenizer.LLAMA3);
                String[] merges = metadata.getStringArray(MERGES);
                yield build(metadata, () -> new Gpt2BpeTokenizer(vocabulary, merges, pre, pre.ignoresMerges()));
            }
            default -> throw new ModelFormatException(metadata.file(), "key " + MODEL
                    + ": expected a supported tokenizer model (llama, gpt2), found '" + model + "'");
        };
    }

    private static Vocabulary vocabulary(GgufMetadata metadata, boolean sentencePiece, boolean addBosDefault) {
        String[] tokens = metadata.getStringArray(TOKENS);
        if (tokens.length == 0) {
            throw new ModelFormatException(metadata.file(), "key " + TOKENS + ": expected at least one token, found none");
        }
        TokenTextCheck.check(metadata, TOKENS, tokens);
        float[] scores = sentencePiece || metadata.has(SCORES) ? metadata.getFloatArray(SCORES) : new float[tokens.length];
        checkLength(metadata, SCORES, scores.length, tokens.length);
        TokenType[] types = tokenTypes(metadata, tokens.length);
        OptionalInt bos = specialId(metadata, BOS_ID, tokens.length);
        if (bos.isEmpty() && !sentencePiece) {
            throw new ModelFormatException(metadata.file(), "missing metadata key " + BOS_ID
                    + " (expected the beginning-of-sequence token id)");
        }
        SpecialTokenIds ids = new SpecialTokenIds(bos.orElse(SENTENCEPIECE_DEFAULT_BOS),
                specialId(metadata, EOS_ID, tokens.length), specialId(metadata, EOT_ID, tokens.length),
                specialId(metadata, EOM_ID, tokens.length), specialId(metadata, UNKNOWN_ID, tokens.length));
        boolean addBos = metadata.getBoolOpt(ADD_BOS).orElse(addBosDefault);
        return build(metadata, () -> new Vocabulary(tokens, types, scores, ids, addBos));
    }

    private static TokenType[] tokenTypes(GgufMetadata metadata, int count) {
        TokenType[] types = new TokenType[count];
        if (!metadata.has(TOKEN_TYPE)) {
            Arrays.fill(types, TokenType.NORMAL);
            return types;
        }
        int[] codes = metadata.getIntArray(TOKEN_TYPE);
        checkLength(metadata, TOKEN_TYPE, codes.length, count);
        for (int i = 0; i < count; i++) {
            int index = i;
            types[i] = TokenType.fromCode(codes[i]).orElseThrow(() -> new ModelFormatException(metadata.file(), "key "
                    + TOKEN_TYPE + "[" + index + "]: expected a token type code 0..6, found " + codes[index]));
        }
        return types;
    }

    private static void checkLength(GgufMetadata metadata, String key, int found, int tokens) {
        if (found != tokens) {
            throw new ModelFormatException(metadata.file(), "key " + key + ": expected " + tokens
                    + " entries (one per token in " + TOKENS + "), found " + found);
        }
    }

    /** A special token id: empty when absent or unset (-1), an error when outside [0, vocabSize). */
    private static OptionalInt specialId(GgufMetadata metadata, String key, int vocabSize) {
        OptionalLong value = metadata.getLongOpt(key);
        if (value.isEmpty() || value.getAsLong() == -1 || value.getAsLong() == UNSET_UNSIGNED) {
            return OptionalInt.empty();
        }
        long id = value.getAsLong();
        if (id < 0 || id >= vocabSize) {
            throw new ModelFormatException(metadata.file(), "key " + key + ": expected a token id in [0, " + vocabSize
                    + "), found " + id);
        }
        return OptionalInt.of((int) id);
    }

    private static BpePreTokenizer preTokenizer(GgufMetadata metadata) {
        String name = metadata.getStringOpt(PRE).orElse("default");
        return BpePreTokenizer.named(name).orElseThrow(() -> new ModelFormatException(metadata.file(), "key " + PRE
                + ": expected a supported pre-tokenizer " + BpePreTokenizer.supportedNames() + ", found '" + name + "'"));
    }

    /** Runs a constructor, reporting its IllegalArgumentException as a format error of the file. */
    private static <T> T build(GgufMetadata metadata, Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(metadata.file(), e.getMessage(), e);
        }
    }
}
