package dev.canopy.executor.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * One allocation of GPU memory, freed by {@link #close()}. Made by {@link CudaContext#allocate}.
 * The copies here run on the legacy default stream, not the backend's: an upload returns only once
 * its data is on the device (the context is synchronized, since a copy from pageable memory may
 * still be in flight when the driver returns), and a download must wait for queued kernels first
 * ({@link CudaContext#synchronize}). Per-step copies go through pinned buffers on the stream instead.
 */
final class DeviceBuffer implements AutoCloseable {

    /** Largest single host-to-device copy from a memory segment (ByteBuffers are int-indexed). */
    private static final long COPY_CHUNK = 1L << 30;

    private final DevicePointer pointer;
    private final long bytes;
    private final String purpose;
    private boolean closed;

    DeviceBuffer(DevicePointer pointer, long bytes, String purpose) {
        this.pointer = pointer;
        this.bytes = bytes;
        this.purpose = purpose;
    }

    /** Device address of the first byte. */
    long address() {
        return pointer.address();
    }

    /** Device address of byte {@code offset}. */
    long address(long offset) {
        return pointer.address() + offset;
    }

    /** The driver pointer to byte {@code offset}, for copies. */
    CUdeviceptr at(long offset) {
        return offset == 0 ? pointer : pointer.withByteOffset(offset);
    }

    long bytes() {
        return bytes;
    }

    String purpose() {
        return purpose;
    }

    /** Copies {@code src} (all of it) to byte {@code offset} of this buffer. */
    void upload(long offset, MemorySegment src) {
        checkRange(offset, src.byteSize());
        if (!src.isNative()) {
            try (Arena staging = Arena.ofConfined()) {
                upload(offset, staging.allocate(src.byteSize(), 16).copyFrom(src));
            }
            return;
        }
        for (long done = 0; done < src.byteSize(); done += COPY_CHUNK) {
            long n = Math.min(COPY_CHUNK, src.byteSize() - done);
            ByteBuffer chunk = src.asSlice(done, n).asByteBuffer();
            CudaException.check(cuMemcpyHtoD(at(offset + done), Pointer.to(chunk), n), "copy " + n + " bytes to " + purpose);
        }
        finishCopy();
    }

    /** Copies {@code src} to byte {@code offset} of this buffer. */
    void upload(long offset, float[] src) {
        checkRange(offset, 4L * src.length);
        CudaException.check(cuMemcpyHtoD(at(offset), Pointer.to(src), 4L * src.length), "copy floats to " + purpose);
        finishCopy();
    }

    /** Copies {@code src} to byte {@code offset} of this buffer. */
    void upload(long offset, int[] src) {
        checkRange(offset, 4L * src.length);
        CudaException.check(cuMemcpyHtoD(at(offset), Pointer.to(src), 4L * src.length), "copy ints to " + purpose);
        finishCopy();
    }

    private void finishCopy() {
        CudaException.check(cuCtxSynchronize(), "finish copying to " + purpose);
    }

    /**
     * Copies {@code dst.length} floats from byte {@code offset} of this buffer. Synchronous; work queued
     * on a stream must be finished first ({@link CudaContext#synchronize}).
     */
    void download(long offset, float[] dst) {
        checkRange(offset, 4L * dst.length);
        CudaException.check(cuMemcpyDtoH(Pointer.to(dst), at(offset), 4L * dst.length), "copy floats from " + purpose);
    }

    /**
     * Fills {@code dst} (native memory, under 2 GiB) from byte {@code offset} of this buffer. Synchronous; work
     * queued on a stream must be finished first ({@link CudaContext#synchronize}).
     */
    void download(long offset, MemorySegment dst) {
        checkRange(offset, dst.byteSize());
        CudaException.check(cuMemcpyDtoH(Pointer.to(dst.asByteBuffer()), at(offset), dst.byteSize()),
                "copy " + dst.byteSize() + " bytes from " + purpose);
    }

    private void checkRange(long offset, long n) {
        if (offset < 0 || n < 0 || offset + n > bytes) {
            throw new IllegalArgumentException("Cannot copy " + n + " bytes at offset " + offset + " into " + purpose
                    + ": it holds " + bytes + " bytes");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            CudaException.check(cuMemFree(pointer), "free " + bytes + " bytes of " + purpose);
        }
    }
}
