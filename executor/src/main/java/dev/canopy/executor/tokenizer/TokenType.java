package dev.canopy.executor.tokenizer;

import java.util.Optional;

/**
 * The kind of a vocabulary entry, as stored in {@code tokenizer.ggml.token_type} (llama.cpp's
 * {@code llama_token_type} codes).
 */
public enum TokenType {
    /** Code 0: no type recorded; treated like {@link #NORMAL}. */
    UNDEFINED(0),
    /** Code 1: an ordinary piece of text. */
    NORMAL(1),
    /** Code 2: the unknown token ({@code <unk>}). */
    UNKNOWN(2),
    /** Code 3: a control token such as {@code <s>} or {@code <|eot_id|>}; decodes to nothing. */
    CONTROL(3),
    /** Code 4: a user-defined token, always matched as a whole in the input text. */
    USER_DEFINED(4),
    /** Code 5: an unused slot; decodes to nothing. */
    UNUSED(5),
    /** Code 6: a SentencePiece byte token {@code <0xNN>} that stands for one raw byte. */
    BYTE(6);

    private final int code;

    TokenType(int code) {
        this.code = code;
    }

    /** The numeric code stored in the GGUF file. */
    public int code() {
        return code;
    }

    /** The type with this GGUF code, if there is one. */
    public static Optional<TokenType> fromCode(int code) {
        for (TokenType t : values()) {
            if (t.code == code) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** Whether text pieces of this type take part in ordinary tokenization (normal or user-defined text). */
    boolean isText() {
        return this == NORMAL || this == UNDEFINED || this == USER_DEFINED;
    }

    /** Whether tokens of this type are special: control or user-defined. */
    boolean isSpecial() {
        return this == CONTROL || this == USER_DEFINED;
    }
}
