package dev.canopy.executor.cuda;

import dev.canopy.executor.model.KvTransfer;
import java.lang.foreign.MemorySegment;

/**
 * A KV block copy on a {@link KvCopyStream}: a read (device to host, into {@link #payload()}) or a write. Its state
 * moves started, ended (on the device), delivered (a read's bytes are in its payload; a write's slot is free); the
 * copy stream moves it, under its lock.
 */
final class CudaKvTransfer implements KvTransfer {

    private final KvCopyStream copies;
    private final int block;
    private final MemorySegment payload; // (blockBytes) a read's destination; null for a write
    private KvCopyStream.Slot slot;      // while not delivered
    private boolean ended;
    private boolean delivered;

    CudaKvTransfer(KvCopyStream copies, int block, MemorySegment payload) {
        this.copies = copies;
        this.block = block;
        this.payload = payload;
    }

    @Override
    public boolean isDeclined() {
        return false; // the GPU cache is F32: every block can be copied
    }

    @Override
    public boolean isDone() {
        return copies.hasEnded(this);
    }

    @Override
    public void await() {
        copies.await(this);
    }

    int block() {
        return block;
    }

    boolean isRead() {
        return payload != null;
    }

    MemorySegment payload() {
        return payload;
    }

    KvCopyStream.Slot slot() {
        return slot;
    }

    boolean hasEnded() {
        return ended;
    }

    boolean isDelivered() {
        return delivered;
    }

    void started(KvCopyStream.Slot s) {
        slot = s;
    }

    void ended() {
        ended = true;
    }

    void delivered() {
        ended = true;
        delivered = true;
        slot = null;
    }

    @Override
    public String toString() {
        return (isRead() ? "read" : "write") + " of KV block " + block + (delivered ? ", done" : ended ? ", ended"
                : ", in flight");
    }
}
