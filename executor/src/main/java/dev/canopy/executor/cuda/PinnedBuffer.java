package dev.canopy.executor.cuda;

import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jcuda.Pointer;

/**
 * Page-locked host memory, the staging area of asynchronous copies between the host and the GPU
 * (copies from ordinary Java memory cannot overlap with anything). Freed by {@link #close()}.
 */
final class PinnedBuffer implements AutoCloseable {

    private final Pointer pointer = new Pointer();
    private final ByteBuffer bytes; // native order, capacity = the allocation
    private boolean closed;

    PinnedBuffer(long size, String purpose) {
        if (size <= 0 || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Cannot allocate pinned host memory for " + purpose + ": size " + size
                    + " must be in [1, " + Integer.MAX_VALUE + "]");
        }
        CudaException.check(cuMemAllocHost(pointer, size), "allocate " + size + " bytes of pinned host memory for "
                + purpose);
        bytes = pointer.getByteBuffer(0, size).order(ByteOrder.nativeOrder());
    }

    Pointer pointer() {
        return pointer;
    }

    /** The whole buffer, native byte order; callers use absolute gets and puts. */
    ByteBuffer bytes() {
        return bytes;
    }

    long size() {
        return bytes.capacity();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            CudaException.check(cuMemFreeHost(pointer), "free pinned host memory");
        }
    }
}
