package dev.canopy.executor.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventQuery;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;
import static jcuda.driver.JCudaDriver.cuStreamWaitEvent;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/**
 * The KV cache's swap copies (swap out: device to host, swap in: host to device) on a CUDA stream of their own, so
 * that they run while forward steps compute on the context's stream. Each copy goes through a slot of page-locked
 * staging memory (a copy from ordinary memory cannot be asynchronous) and records an event when it ends.
 *
 * <p>Ordering, all enforced on the device (the host waits only when it awaits a read):
 * <ul>
 *   <li>every copy starts after the work queued on the compute stream before it (an event recorded there, waited on
 *       by the copy stream): a read sees what earlier steps wrote, a write does not overwrite a block earlier steps
 *       still read;</li>
 *   <li>compute work queued later waits ({@link #orderBefore}) for every write still in flight (it may read the
 *       written block) and for the reads still in flight of the blocks it writes;</li>
 *   <li>copies run in the order they were started (one stream), so a write into a block being read goes after the
 *       read, and events end in that order.</li>
 * </ul>
 *
 * <p>Slots: one per copy in flight, at most {@link #maxSlots()}. A write's slot is free again once the device has
 * finished it, a read's once awaited (its bytes are then copied into the caller's payload). Starting a copy with every
 * slot taken delivers the oldest ended read nobody has awaited yet into its payload, or else waits for the oldest
 * copy in flight.
 *
 * <p>Thread-safe; every method makes the context current first.
 */
final class KvCopyStream implements AutoCloseable {

    /** Page-locked staging memory kept at most, in bytes (and at least two slots). */
    static final long MAX_STAGING_BYTES = 256L << 20;
    /** Slots kept at most. */
    static final int MAX_SLOTS = 64;

    /** One block's staging memory and the event its copy records when it ends. */
    static final class Slot {
        final PinnedBuffer staging; // (layers, 2, blockSize, kvDim) floats
        final MemorySegment bytes;  // the same memory, for copies from and to the caller's payload
        final CUevent done = new CUevent();
        CudaKvTransfer transfer;    // the copy using the slot; null while free

        Slot(long blockBytes) {
            staging = new PinnedBuffer(blockBytes, "a KV block in transit");
            bytes = MemorySegment.ofBuffer(staging.bytes());
        }
    }

    private final CudaContext context;
    private final DeviceKvCache kv;
    private final int maxSlots;
    private final CUstream stream = new CUstream();
    private final CUevent computeMark = new CUevent(); // recorded on the compute stream before each copy
    private final List<Slot> slots = new ArrayList<>();
    private final ArrayDeque<Slot> free = new ArrayDeque<>();
    private final ArrayDeque<Slot> inFlight = new ArrayDeque<>();  // started, not yet seen ended, in start order
    private final ArrayDeque<Slot> heldReads = new ArrayDeque<>(); // reads ended on the device, not yet awaited
    private boolean closed;

    KvCopyStream(CudaContext context, DeviceKvCache kv) {
        this.context = context;
        this.kv = kv;
        this.maxSlots = (int) Math.max(2, Math.min(MAX_SLOTS, MAX_STAGING_BYTES / kv.blockBytes()));
        context.makeCurrent();
        CudaException.check(cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING), "create the KV copy stream");
        int created = cuEventCreate(computeMark, CUevent_flags.CU_EVENT_DISABLE_TIMING);
        if (created != CUresult.CUDA_SUCCESS) {
            cuStreamDestroy(stream);
            CudaException.check(created, "create the event that orders KV copies after the forward steps");
        }
    }

    /** Slots (copies in flight) kept at most. */
    int maxSlots() {
        return maxSlots;
    }

    /**
     * Starts copying block {@code block} into {@code payload}, after the compute work queued so far.
     *
     * @param payload {@link DeviceKvCache#blockBytes()} bytes; filled when the transfer is awaited
     */
    synchronized CudaKvTransfer read(int block, MemorySegment payload) {
        checkPayload(block, payload, "read");
        Slot slot = acquire();
        afterQueuedCompute();
        kv.download(block, slot.staging.pointer(), stream);
        return started(slot, new CudaKvTransfer(this, block, payload));
    }

    /**
     * Takes {@code payload} and starts copying it into block {@code block}, after the compute work queued so far.
     *
     * @param payload {@link DeviceKvCache#blockBytes()} bytes; free for the caller when this returns
     */
    synchronized CudaKvTransfer write(int block, MemorySegment payload) {
        checkPayload(block, payload, "write");
        Slot slot = acquire();
        slot.bytes.copyFrom(payload);
        afterQueuedCompute();
        kv.upload(block, slot.staging.pointer(), stream);
        return started(slot, new CudaKvTransfer(this, block, null));
    }

    /**
     * Makes the compute stream wait, on the device, for the copies compute work queued next must follow: every write
     * in flight and the reads in flight of the blocks {@code writes} accepts.
     */
    synchronized void orderBefore(IntPredicate writes) {
        checkOpen("order a forward step after the KV copies");
        context.makeCurrent();
        reclaimEnded();
        Slot last = null;
        for (Slot s : inFlight) {
            if (!s.transfer.isRead() || writes.test(s.transfer.block())) {
                last = s; // copies end in start order: waiting for the last covers the earlier ones
            }
        }
        if (last != null) {
            CudaException.check(cuStreamWaitEvent(context.stream(), last.done, 0), "make the forward step wait for "
                    + "the copy of KV block " + last.transfer.block());
        }
    }

    /** Whether {@code t} has ended on the device. */
    synchronized boolean hasEnded(CudaKvTransfer t) {
        if (t.isDelivered() || closed) {
            return t.isDelivered();
        }
        context.makeCurrent();
        reclaimEnded();
        return t.hasEnded();
    }

    /** Waits for {@code t} to end on the device; a read's bytes then go into its payload. */
    synchronized void await(CudaKvTransfer t) {
        if (t.isDelivered()) {
            return;
        }
        checkOpen("await the copy of KV block " + t.block());
        context.makeCurrent();
        if (!t.hasEnded()) {
            CudaException.check(cuEventSynchronize(t.slot().done), "wait for the copy of KV block " + t.block());
            Slot s;
            do {
                s = inFlight.pollFirst(); // ended too: earlier on the same stream
                ended(s);
            } while (s != t.slot());
        }
        if (t.isRead()) {
            deliver(t);
        }
    }

    /** Queues the copy stream's wait for the compute work queued so far. */
    private void afterQueuedCompute() {
        CudaException.check(cuEventRecord(computeMark, context.stream()), "mark the forward steps queued so far");
        CudaException.check(cuStreamWaitEvent(stream, computeMark, 0), "order a KV copy after the forward steps");
    }

    private CudaKvTransfer started(Slot slot, CudaKvTransfer t) {
        CudaException.check(cuEventRecord(slot.done, stream), "mark the end of the copy of KV block " + t.block());
        slot.transfer = t;
        t.started(slot);
        inFlight.addLast(slot);
        return t;
    }

    /** A free slot: a new one while under the limit, else the oldest copy is finished (see the class comment). */
    private Slot acquire() {
        checkOpen("copy a KV block");
        context.makeCurrent();
        reclaimEnded();
        while (free.isEmpty()) {
            if (slots.size() < maxSlots) {
                Slot s = newSlot();
                slots.add(s);
                return s;
            }
            if (!heldReads.isEmpty()) {
                deliver(heldReads.peekFirst().transfer); // its payload is the caller's to fill until awaited
            } else {
                CudaException.check(cuEventSynchronize(inFlight.peekFirst().done), "wait for the oldest KV block copy");
                reclaimEnded();
            }
        }
        return free.pollFirst();
    }

    private Slot newSlot() {
        Slot s = new Slot(kv.blockBytes());
        int created = cuEventCreate(s.done, CUevent_flags.CU_EVENT_DISABLE_TIMING);
        if (created != CUresult.CUDA_SUCCESS) {
            s.staging.close();
            CudaException.check(created, "create the event of a KV block copy");
        }
        return s;
    }

    /** Takes the copies the device has ended off the head of {@link #inFlight}. */
    private void reclaimEnded() {
        while (!inFlight.isEmpty()) {
            int state = cuEventQuery(inFlight.peekFirst().done);
            if (state == CUresult.CUDA_ERROR_NOT_READY) {
                return;
            }
            CudaException.check(state, "check the copy of KV block " + inFlight.peekFirst().transfer.block());
            ended(inFlight.pollFirst());
        }
    }

    /** A copy ended on the device: a write is done and frees its slot, a read waits to be delivered. */
    private void ended(Slot s) {
        s.transfer.ended();
        if (s.transfer.isRead()) {
            heldReads.addLast(s);
        } else {
            release(s);
        }
    }

    /** Copies an ended read's bytes into its payload and frees its slot. */
    private void deliver(CudaKvTransfer t) {
        Slot s = t.slot();
        heldReads.remove(s);
        t.payload().copyFrom(s.bytes);
        release(s);
    }

    private void release(Slot s) {
        s.transfer.delivered();
        s.transfer = null;
        free.addLast(s);
    }

    private void checkPayload(int block, MemorySegment payload, String action) {
        if (block < 0 || block >= kv.numBlocks() || payload.byteSize() != kv.blockBytes()) {
            throw new IllegalArgumentException("Cannot " + action + " KV block " + block + ": blocks are 0.."
                    + (kv.numBlocks() - 1) + " and the payload must have " + kv.blockBytes() + " bytes, got "
                    + payload.byteSize());
        }
    }

    private void checkOpen(String action) {
        if (closed) {
            throw new IllegalStateException("Cannot " + action + ": the KV copy stream of cuda:"
                    + context.info().ordinal() + " is closed");
        }
    }

    /** Waits for the copies in flight, then frees the slots and the stream; reads not awaited are never delivered. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        context.makeCurrent();
        int synced = cuStreamSynchronize(stream);
        for (Slot s : slots) {
            cuEventDestroy(s.done);
            s.staging.close();
        }
        cuEventDestroy(computeMark);
        int destroyed = cuStreamDestroy(stream);
        CudaException.check(synced, "finish the KV block copies");
        CudaException.check(destroyed, "destroy the KV copy stream");
    }
}
