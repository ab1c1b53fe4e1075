package dev.canopy.executor.tokenizer;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.gguf.GgufMetadata;

/** The stories260K model's metadata and tokenizer, read once per test run. */
final class Stories260k {

    private static GgufMetadata metadata;
    private static Tokenizer tokenizer;

    private Stories260k() {}

    static synchronized GgufMetadata metadata() {
        if (metadata == null) {
            try (GgufFile file = GgufFile.open(TestModels.stories260kF32())) {
                metadata = file.metadata();
            }
        }
        return metadata;
    }

    static synchronized Tokenizer tokenizer() {
        if (tokenizer == null) {
            tokenizer = TokenizerLoader.load(metadata());
        }
        return tokenizer;
    }
}
