package dev.canopy.executor.kv;

/**
 * What the KV cache needs to know of a model to size and lay out its buffers: per layer, one key and one value row of
 * {@link #kvDim()} floats per token. The model's config implements it ({@code model.ModelConfig}), so the cache
 * depends on this small view and not on the model package (which depends on the cache).
 */
public interface KvShape {

    /** Transformer layers, each with its own keys and values. */
    int layers();

    /** Floats per token per key (or value) row: key-value heads × head dimension. */
    int kvDim();
}
