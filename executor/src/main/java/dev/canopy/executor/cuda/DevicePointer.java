package dev.canopy.executor.cuda;

import jcuda.driver.CUdeviceptr;

/** A {@link CUdeviceptr} that tells its raw device address, so kernel arguments can be plain 64-bit values. */
final class DevicePointer extends CUdeviceptr {

    /** The device address this pointer holds (0 before allocation). */
    long address() {
        return getNativePointer();
    }
}
