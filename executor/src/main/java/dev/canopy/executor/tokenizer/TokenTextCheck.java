package dev.canopy.executor.tokenizer;

import dev.canopy.executor.gguf.GgufMetadata;
import dev.canopy.executor.gguf.ModelFormatException;

/**
 * Bounds the length of each token's stored text, so that a vocabulary cannot make each generated token
 * decode to megabytes of output (a file whose punctuation tokens each held 16 MiB turned 64 generated
 * tokens into 128 MB). Real vocabularies stay far below the cap: their longest tokens are runs of
 * spaces or dashes of a few hundred characters.
 */
final class TokenTextCheck {

    /** Most UTF-16 characters in one token's text (at most 3 UTF-8 bytes each when decoded). */
    static final int MAX_TOKEN_CHARS = 8192;

    private TokenTextCheck() {}

    /**
     * @throws ModelFormatException naming the key, the first token id that is too long and its length
     */
    static void check(GgufMetadata metadata, String key, String[] tokens) {
        for (int id = 0; id < tokens.length; id++) {
            if (tokens[id].length() > MAX_TOKEN_CHARS) {
                throw new ModelFormatException(metadata.file(), "key " + key + "[" + id + "]: token " + id + " is "
                        + tokens[id].length() + " characters long, expected at most " + MAX_TOKEN_CHARS
                        + "; no real vocabulary has such tokens, so the file's vocabulary is corrupt or hostile");
            }
        }
    }
}
