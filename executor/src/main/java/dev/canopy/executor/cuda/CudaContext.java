package dev.canopy.executor.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.nio.charset.StandardCharsets;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/**
 * One GPU's primary context and the stream all of the backend's work runs on. Allocations made here
 * must be closed before the context. Every method makes the context current on the calling thread
 * first, so a context may be used from any (one at a time) thread.
 */
public final class CudaContext implements AutoCloseable {

    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final int ordinal;
    private final DeviceInfo info;
    private boolean closed;

    private CudaContext(int ordinal) {
        this.ordinal = ordinal;
        CudaException.check(cuDeviceGet(device, ordinal), "get cuda:" + ordinal);
        CudaException.check(cuDevicePrimaryCtxRetain(context, device), "retain the primary context of cuda:" + ordinal);
        makeCurrent();
        CudaException.check(cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING), "create a stream on cuda:"
                + ordinal);
        info = describe(ordinal, device);
    }

    /**
     * Opens GPU {@code ordinal}.
     *
     * @throws CudaException if the CUDA backend is unavailable here (naming why) or the device cannot be opened
     */
    public static CudaContext open(int ordinal) {
        CudaAvailability availability = CudaAvailability.detect();
        if (!availability.available()) {
            throw new CudaException("Cannot open cuda:" + ordinal + ": " + availability.detail(), CUresult.CUDA_SUCCESS);
        }
        return new CudaContext(ordinal);
    }

    public DeviceInfo info() {
        return info;
    }

    /** Free and total device memory now. */
    public MemoryInfo memory() {
        makeCurrent();
        long[] free = new long[1];
        long[] total = new long[1];
        CudaException.check(cuMemGetInfo(free, total), "read the free memory of cuda:" + ordinal);
        return new MemoryInfo(free[0], total[0]);
    }

    private void checkOpen(String action) {
        if (closed) {
            throw new IllegalStateException("Cannot " + action + ": the context of cuda:" + ordinal + " is closed");
        }
    }

    /** Binds this context to the calling thread. */
    void makeCurrent() {
        CudaException.check(cuCtxSetCurrent(context), "make the context of cuda:" + ordinal + " current");
    }

    CUstream stream() {
        return stream;
    }

    /**
     * Allocates {@code bytes} of device memory for {@code purpose}.
     *
     * @throws CudaException naming the bytes asked for and free when the device is out of memory
     */
    DeviceBuffer allocate(long bytes, String purpose) {
        makeCurrent();
        DevicePointer pointer = new DevicePointer();
        int result = cuMemAlloc(pointer, Math.max(bytes, 1));
        if (result == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            MemoryInfo m = memory();
            throw new CudaException("Cannot allocate " + bytes + " bytes for " + purpose + " on cuda:" + ordinal
                    + ": out of memory, " + m.freeBytes() + " of " + m.totalBytes() + " bytes free", result);
        }
        CudaException.check(result, "allocate " + bytes + " bytes for " + purpose + " on cuda:" + ordinal);
        return new DeviceBuffer(pointer, bytes, purpose);
    }

    /**
     * Waits for all work queued on the stream; an asynchronous kernel failure surfaces here. Binds the
     * context to the calling thread first, so a synchronous copy that follows runs in it.
     *
     * @throws IllegalStateException if this context was closed
     */
    void synchronize(String action) {
        checkOpen(action);
        makeCurrent();
        CudaException.check(cuStreamSynchronize(stream), action);
    }

    static DeviceInfo describe(int ordinal, CUdevice device) {
        byte[] name = new byte[256];
        CudaException.check(cuDeviceGetName(name, name.length, device), "read the name of cuda:" + ordinal);
        int len = 0;
        while (len < name.length && name[len] != 0) {
            len++;
        }
        long[] total = new long[1];
        CudaException.check(cuDeviceTotalMem(total, device), "read the memory size of cuda:" + ordinal);
        int[] driver = new int[1];
        CudaException.check(cuDriverGetVersion(driver), "read the CUDA driver version");
        int memoryKhz = optionalAttribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE);
        int busBits = optionalAttribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH);
        double bandwidth = 2.0 * memoryKhz * 1000.0 * busBits / 8.0; // double data rate
        return new DeviceInfo(ordinal, new String(name, 0, len, StandardCharsets.UTF_8),
                CudaAvailability.attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
                CudaAvailability.attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR),
                CudaAvailability.attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT),
                total[0],
                CudaAvailability.attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN),
                bandwidth, driver[0]);
    }

    /** An attribute newer drivers may no longer report: 0 when the query fails. */
    private static int optionalAttribute(CUdevice device, int attribute) {
        int[] value = new int[1];
        return jcuda.driver.JCudaDriver.cuDeviceGetAttribute(value, attribute, device) == CUresult.CUDA_SUCCESS
                ? value[0] : 0;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            makeCurrent();
            CudaException.check(cuStreamDestroy(stream), "destroy the stream of cuda:" + ordinal);
            CudaException.check(cuDevicePrimaryCtxRelease(device), "release the primary context of cuda:"
                    + ordinal);
        }
    }
}
