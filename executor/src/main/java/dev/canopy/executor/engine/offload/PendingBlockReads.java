package dev.canopy.executor.engine.offload;

import dev.canopy.executor.model.Backend;
import dev.canopy.executor.model.KvTransfer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * KV blocks being copied out of the backend's pool ({@link Backend#readBlockAsync}) whose bytes are used later: the
 * scheduler starts the reads of a step's swap-outs and evicted prefix blocks while it builds the step, the forward
 * step runs (on a GPU, while the copies run on their own stream), and {@link #finishAll()} then awaits each read and
 * hands its bytes on, in the order the reads were started. Each read has a payload of its own, from a pool; at most
 * {@code maxPending} reads wait (about {@link #MAX_PENDING_BYTES} of payloads): starting one more first finishes the
 * oldest, so a long sequence swapped out on a large model does not hold gigabytes of host memory.
 *
 * <p>Used by the scheduler's thread only.
 */
final class PendingBlockReads implements AutoCloseable {

    /** Payload bytes pending reads may hold, at least two reads' worth. */
    static final long MAX_PENDING_BYTES = 256L << 20;

    private record Pending(KvTransfer transfer, MemorySegment payload, Consumer<MemorySegment> onRead) {
    }

    private final Backend backend;
    private final long blockBytes;
    private final int maxPending;
    private final Arena arena = Arena.ofShared();
    private final ArrayDeque<MemorySegment> freePayloads = new ArrayDeque<>(); // each (blockBytes)
    private final ArrayDeque<Pending> pending = new ArrayDeque<>(); // in start order
    private int payloads;

    PendingBlockReads(Backend backend, long blockBytes) {
        this(backend, blockBytes, (int) Math.max(2, Math.min(Integer.MAX_VALUE, MAX_PENDING_BYTES / blockBytes)));
    }

    /** @param maxPending reads waiting at most, at least 1 */
    PendingBlockReads(Backend backend, long blockBytes, int maxPending) {
        if (maxPending < 1) {
            throw new IllegalArgumentException("Cannot keep pending block reads: maxPending must be at least 1, got "
                    + maxPending);
        }
        this.backend = backend;
        this.blockBytes = blockBytes;
        this.maxPending = maxPending;
    }

    /**
     * Starts reading block {@code block}; {@code onRead} gets its bytes (valid only during the call) at the next
     * {@link #finishAll()}, or sooner when {@code maxPending} later reads are started first.
     *
     * @return false, starting nothing, when the backend declined the read (a 4-bit block still being filled)
     */
    boolean start(int block, Consumer<MemorySegment> onRead) {
        while (pending.size() >= maxPending) {
            finishOldest();
        }
        MemorySegment payload = freePayloads.isEmpty() ? newPayload() : freePayloads.pop();
        KvTransfer transfer = backend.readBlockAsync(block, payload);
        if (transfer.isDeclined()) {
            freePayloads.push(payload);
            return false;
        }
        pending.addLast(new Pending(transfer, payload, onRead));
        return true;
    }

    /** Whether no read waits for {@link #finishAll()}. */
    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** Reads started and not yet finished. */
    int size() {
        return pending.size();
    }

    /** Payloads allocated so far: the most reads pending at once. */
    int payloads() {
        return payloads;
    }

    /**
     * Awaits every pending read, in start order, and hands each its bytes. A callback may start new reads: they are
     * finished too before this returns.
     */
    void finishAll() {
        while (!pending.isEmpty()) {
            finishOldest();
        }
    }

    private void finishOldest() {
        Pending p = pending.pollFirst();
        try {
            p.transfer().await();
            p.onRead().accept(p.payload());
        } finally {
            freePayloads.push(p.payload());
        }
    }

    private MemorySegment newPayload() {
        payloads++;
        return arena.allocate(blockBytes, 64);
    }

    /**
     * Drops the reads still pending (their bytes are not handed on) once the backend has finished them, then frees
     * the payloads.
     */
    @Override
    public void close() {
        try {
            while (!pending.isEmpty()) {
                pending.pollFirst().transfer().await(); // the backend may still write into the payload until then
            }
        } finally {
            pending.clear();
            arena.close();
        }
    }
}
