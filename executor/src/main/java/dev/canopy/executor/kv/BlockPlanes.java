package dev.canopy.executor.kv;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The heap arrays ("planes") of a quantized KV cache, each holding one equal-sized slice per block, seen as one
 * unit per block: copy a block, or gather it into a contiguous swap payload (the planes' slices in order) and
 * scatter it back.
 */
final class BlockPlanes {

    private final List<MemorySegment> planes = new ArrayList<>();
    private final List<Long> sliceBytes = new ArrayList<>();
    private long blockBytes;

    /** Adds {@code plane} (a heap segment), whose block {@code b} is bytes {@code [b * slice, (b + 1) * slice)}. */
    BlockPlanes add(MemorySegment plane, long slice) {
        planes.add(plane);
        sliceBytes.add(slice);
        blockBytes += slice;
        return this;
    }

    /** Bytes of one block over all planes: the payload size. */
    long blockBytes() {
        return blockBytes;
    }

    /** Copies block {@code src} to block {@code dst} in every plane. */
    void copy(int src, int dst) {
        for (int i = 0; i < planes.size(); i++) {
            long slice = sliceBytes.get(i);
            MemorySegment.copy(planes.get(i), src * slice, planes.get(i), dst * slice, slice);
        }
    }

    /** Copies block {@code block} of every plane, in order, into {@code payload} ({@link #blockBytes()} bytes). */
    void gather(int block, MemorySegment payload) {
        checkPayload(payload);
        long at = 0;
        for (int i = 0; i < planes.size(); i++) {
            long slice = sliceBytes.get(i);
            MemorySegment.copy(planes.get(i), block * slice, payload, at, slice);
            at += slice;
        }
    }

    /** Copies {@code payload} (from {@link #gather}) into block {@code block} of every plane. */
    void scatter(MemorySegment payload, int block) {
        checkPayload(payload);
        long at = 0;
        for (int i = 0; i < planes.size(); i++) {
            long slice = sliceBytes.get(i);
            MemorySegment.copy(payload, at, planes.get(i), block * slice, slice);
            at += slice;
        }
    }

    private void checkPayload(MemorySegment payload) {
        if (payload.byteSize() != blockBytes) {
            throw new IllegalArgumentException("Cannot move a KV block: the payload has " + payload.byteSize()
                    + " bytes, a block " + blockBytes);
        }
    }
}
