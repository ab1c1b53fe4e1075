package dev.canopy.executor.model;

import dev.canopy.executor.kv.KvBlockLayout;
import dev.canopy.executor.kv.KvCacheType;
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

    /**
     * Runs one step as {@link #forward} does and returns the same logits for sampling, possibly in memory this
     * backend reuses: they are valid until its next step. This default views {@link #forward}'s array.
     */
    default LogitRows forwardRows(ForwardBatch batch) {
        return LogitRows.of(forward(batch), batch.logitRows().length);
    }

    /** Copies every layer's KV of block {@code src} into block {@code dst} (copy-on-write). */
    void copyBlock(int src, int dst);

    /**
     * Blocks of the sliding-window layers' own pool ({@link ForwardBatch#localBlockTables()}), or 0 when every layer
     * uses the {@link #numBlocks()} blocks.
     */
    default int numLocalBlocks() {
        return 0;
    }

    /** Copies the sliding-window layers' KV of their own block {@code src} into {@code dst} (copy-on-write). */
    default void copyLocalBlock(int src, int dst) {
        throw new UnsupportedOperationException("Cannot copy a local KV block: backend " + name()
                + " keeps every layer's KV in one pool");
    }

    /**
     * Copies every layer's KV of block {@code block} into {@code payload} (to swap it out of the pool): an F32 cache
     * laid out as {@link KvBlockLayout} says, (layers, 2 [keys, values], blockSize, kvDim) floats; a quantized one
     * as it stores it. Returns once the bytes are in {@code payload}.
     *
     * @param payload {@link #blockBytes()} bytes
     * @return false, copying nothing, when the block cannot be swapped as it is (a 4-bit block still being filled
     *     in full precision): its tokens are recomputed instead
     */
    boolean readBlock(int block, MemorySegment payload);

    /**
     * Copies {@code payload} (from {@link #readBlock}) into block {@code block}, all layers (to swap it back in).
     *
     * @param payload {@link #blockBytes()} bytes
     */
    void writeBlock(int block, MemorySegment payload);

    /**
     * Starts what {@link #readBlock} does and returns without waiting for the device: the copy takes the block as
     * the forward steps and block copies called before left it, and later ones may overwrite the block (a GPU
     * backend makes them wait for the copy on the device, never on the host). {@code payload} holds the bytes once
     * the transfer's {@link KvTransfer#await()} returned; every read must be awaited. A declined transfer
     * ({@link KvTransfer#isDeclined()}) is what {@code readBlock} returning false means.
     *
     * <p>This default copies synchronously and returns a finished transfer.
     *
     * @param payload {@link #blockBytes()} bytes, not touched by the caller until the transfer is awaited
     */
    default KvTransfer readBlockAsync(int block, MemorySegment payload) {
        return readBlock(block, payload) ? KvTransfer.completed() : KvTransfer.declined();
    }

    /**
     * Starts what {@link #writeBlock} does and returns without waiting for the device: {@code payload} is taken
     * before the call returns (the caller may reuse it), and every forward step and block copy called later sees
     * the written block (a GPU backend orders them after the copy on the device). It need not be awaited.
     *
     * <p>This default copies synchronously and returns a finished transfer.
     *
     * @param payload {@link #blockBytes()} bytes (from {@link #readBlock} or {@link #readBlockAsync})
     */
    default KvTransfer writeBlockAsync(int block, MemorySegment payload) {
        writeBlock(block, payload);
        return KvTransfer.completed();
    }

    /** Bytes of one block's swap payload, and of one block of the KV cache. */
    long blockBytes();

    /** How the KV cache stores keys and values. */
    KvCacheType kvType();

    /** KV blocks this backend holds. */
    int numBlocks();

    /** Tokens per KV block. */
    int blockSize();

    @Override
    void close();
}
