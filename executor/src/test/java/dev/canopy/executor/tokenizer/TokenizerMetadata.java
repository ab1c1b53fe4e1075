package dev.canopy.executor.tokenizer;

import dev.canopy.executor.gguf.GgufArray;
import dev.canopy.executor.gguf.GgufMetadata;
import dev.canopy.executor.gguf.GgufValueType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds in-memory GGUF tokenizer metadata for tests, from scratch or as an edited copy of a real file's. */
final class TokenizerMetadata {

    static final Path FILE = Path.of("test-vocab.gguf");

    private final Map<String, GgufMetadata.Entry> entries;

    private TokenizerMetadata(Map<String, GgufMetadata.Entry> entries) {
        this.entries = new LinkedHashMap<>(entries);
    }

    static TokenizerMetadata empty() {
        return new TokenizerMetadata(Map.of());
    }

    static TokenizerMetadata copyOf(GgufMetadata metadata) {
        return new TokenizerMetadata(metadata.entries());
    }

    TokenizerMetadata string(String key, String value) {
        return put(key, GgufValueType.STRING, value);
    }

    TokenizerMetadata strings(String key, List<String> values) {
        return put(key, GgufValueType.ARRAY, new GgufArray(GgufValueType.STRING, values.toArray(String[]::new)));
    }

    TokenizerMetadata floats(String key, float[] values) {
        return put(key, GgufValueType.ARRAY, new GgufArray(GgufValueType.FLOAT32, values.clone()));
    }

    TokenizerMetadata ints(String key, int[] values) {
        return put(key, GgufValueType.ARRAY, new GgufArray(GgufValueType.INT32, values.clone()));
    }

    /** A UINT32 scalar, as llama.cpp writes token ids ({@code 0xFFFFFFFF} reads back as 4294967295). */
    TokenizerMetadata uint32(String key, long value) {
        return put(key, GgufValueType.UINT32, (int) value);
    }

    TokenizerMetadata bool(String key, boolean value) {
        return put(key, GgufValueType.BOOL, value);
    }

    TokenizerMetadata without(String key) {
        entries.remove(key);
        return this;
    }

    GgufMetadata build() {
        return new GgufMetadata(FILE, entries);
    }

    private TokenizerMetadata put(String key, GgufValueType type, Object value) {
        entries.put(key, new GgufMetadata.Entry(type, value));
        return this;
    }
}
