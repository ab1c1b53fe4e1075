package dev.canopy.executor.cuda;

import org.junit.jupiter.api.Assumptions;

/** GPU tests skip, saying why, where the CUDA backend cannot run. */
final class Gpu {

    private Gpu() {}

    /** Skips the calling test unless a usable GPU is present; the skip reason names what is missing. */
    static void assume() {
        CudaAvailability a = CudaBackend.availability();
        Assumptions.assumeTrue(a.available(), () -> "no usable GPU: " + a.detail());
    }
}
