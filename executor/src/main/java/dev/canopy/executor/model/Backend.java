package dev.canopy.executor.model;

import dev.canopy.offload.KvBlockLayout;
import java.lang.foreign.MemorySegment;

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

    /**
     * Copies every layer's KV of block {@code block} into {@code payload}, laid out as {@link KvBlockLayout} says
     * (to swap it out of the pool).
     *
     * @param payload (layers, 2 [keys, values], blockSize, kvDim) floats
     */
    void readBlock(int block, MemorySegment payload);

    /**
     * Copies {@code payload} (from {@link #readBlock}) into block {@code block}, all layers (to swap it back in).
     *
     * @param payload (layers, 2 [keys, values], blockSize, kvDim) floats
     */
    void writeBlock(int block, MemorySegment payload);

    /** KV blocks this backend holds. */
    int numBlocks();

    /** Tokens per KV block. */
    int blockSize();

    @Override
    void close();
}
