package dev.canopy.executor.model;

/**
 * Where the forward pass runs and the KV cache lives: the CPU ({@link CpuBackend}) or a GPU
 * ({@code dev.canopy.executor.cuda.CudaBackend}). The engine's scheduling and sampling are the
 * same for both.
 */
public interface Backend extends AutoCloseable {

    /** Short name for logs and metrics, e.g. {@code cpu} or {@code cuda:0}. */
    String name();

    /**
     * Runs one step: writes every row's keys and values into this backend's KV cache at the
     * row's position and returns the logits of {@code batch.logitRows()}.
     *
     * @return logits, (logitRows.length, vocab)
     */
    float[] forward(ForwardBatch batch);

    /** Copies every layer's KV of block {@code src} into block {@code dst} (copy-on-write). */
    void copyBlock(int src, int dst);

    /** KV blocks this backend holds. */
    int numBlocks();

    /** Tokens per KV block. */
    int blockSize();

    @Override
    void close();
}
