package dev.canopy.executor.model;

import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.gguf.GgufMetadata;
import dev.canopy.executor.gguf.ModelFormatException;

/**
 * Bounds on the sizes a model file's metadata implies, checked before any of them is used to size a
 * buffer or to check a tensor's shape. Every product is taken in {@code long} with
 * {@link Math#multiplyExact(long, long)}, so a value chosen to wrap 32-bit arithmetic back to a
 * plausible size (a {@code key_length} of 2^30 + 8 makes 8 heads × key length wrap to 64) is
 * reported with the key that holds it instead of passing the tensor-shape checks.
 *
 * <p>The bounds are what the supported architectures allow, with a wide margin over every released
 * model (the widest embedding is 18,432, the widest head 256, the largest vocabulary about 262k, the
 * longest context about 10M, the largest F32 KV per token about 10 MiB).
 */
public final class ModelSizeCheck {

    static final long MAX_DIM = 1 << 16;
    static final long MAX_LAYERS = 1 << 12;
    static final long MAX_HEADS = 1 << 12;
    static final long MAX_HEAD_DIM = 1 << 10;
    /** Query heads × head width may exceed the embedding width (Qwen3: 2×, Gemma: 1.6×), but not by more than this. */
    static final long MAX_QDIM_PER_DIM = 4;
    static final long MAX_FFN = 1 << 20;
    static final long MAX_VOCAB = 1 << 22;
    static final long MAX_EMBEDDING_ELEMENTS = 1L << 34;
    static final long MAX_CONTEXT = 1 << 24;
    static final long MAX_KV_BYTES_PER_TOKEN = 64L << 20;

    private final GgufMetadata meta;
    private final String prefix;

    private ModelSizeCheck(GgufMetadata meta, String prefix) {
        this.meta = meta;
        this.prefix = prefix;
    }

    /**
     * Checks every size {@code config} (read from {@code meta}) implies.
     *
     * @throws ModelFormatException naming the key, its value, the bound and the file
     */
    public static void check(GgufMetadata meta, ModelConfig config) {
        new ModelSizeCheck(meta, config.architecture() + ".").check(config);
    }

    /**
     * The config {@code file} describes, its sizes checked: what {@link Model#load} does before it maps any weight
     * (the fuzz target of the GGUF reader calls it on every file that reads).
     *
     * @throws ModelFormatException naming the key and the file
     */
    public static ModelConfig configOf(GgufFile file) {
        ModelConfig config = new ModelLoader(file).config();
        check(file.metadata(), config);
        return config;
    }

    private void check(ModelConfig c) {
        atMost("key " + key("embedding_length"), c.dim(), MAX_DIM);
        atMost("key " + key("block_count"), c.layers(), MAX_LAYERS);
        atMost("key " + key("attention.head_count"), c.heads(), MAX_HEADS);
        atMost("key " + key("attention.head_count_kv"), c.kvHeads(), MAX_HEADS);
        atMost("key " + headDimKey(), c.headDim(), MAX_HEAD_DIM);
        atMost("key " + key("feed_forward_length"), c.ffn(), MAX_FFN);
        atMost("tensor token_embd.weight rows (vocabulary size)", c.vocab(), MAX_VOCAB);
        atMost("key " + key("context_length"), c.contextLength(), MAX_CONTEXT);
        long qDim = product(key("attention.head_count") + " × " + headDimKey(), c.heads(), c.headDim());
        atMost("keys " + key("attention.head_count") + " × " + headDimKey() + " (query width)", qDim,
                product(key("embedding_length") + " × " + MAX_QDIM_PER_DIM, c.dim(), MAX_QDIM_PER_DIM));
        long kvDim = product(key("attention.head_count_kv") + " × " + headDimKey(), c.kvHeads(), c.headDim());
        long kvBytes = product("KV bytes per token (2 × " + key("block_count") + " × key/value width × 4)",
                product("KV bytes per token", 2L * Float.BYTES, c.layers()), kvDim);
        atMost("KV bytes per token (2 × " + key("block_count") + " × key/value width × 4)", kvBytes,
                MAX_KV_BYTES_PER_TOKEN);
        atMost("tensor token_embd.weight elements (vocabulary × " + key("embedding_length") + ")",
                product("vocabulary × " + key("embedding_length"), c.vocab(), c.dim()), MAX_EMBEDDING_ELEMENTS);
    }

    private String key(String suffix) {
        return prefix + suffix;
    }

    /** The key the head width came from: {@code key_length} when the file has it, else the quotient it was derived from. */
    private String headDimKey() {
        return meta.has(key("attention.key_length")) ? key("attention.key_length")
                : key("embedding_length") + " / " + key("attention.head_count");
    }

    private long product(String what, long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new ModelFormatException(meta.file(), what + ": " + a + " × " + b + " overflows 64 bits; the "
                    + "file's metadata is corrupt or hostile", e);
        }
    }

    private void atMost(String what, long value, long max) {
        if (value > max) {
            throw new ModelFormatException(meta.file(), what + ": expected at most " + max + ", found "
                    + value + "; no supported architecture is this large, so the file's metadata is corrupt or hostile");
        }
    }
}
