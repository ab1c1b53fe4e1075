package dev.canopy.executor.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The MatMul implementations the tests run: the Java kernels and each code level of the C library. */
enum TestBackend {
    JAVA(-1),
    NATIVE_AVX512(2),
    NATIVE_AVX2(1),
    NATIVE_PORTABLE_C(0);

    private final int level;

    TestBackend(int level) {
        this.level = level;
    }

    boolean quantizesActivations() {
        return level >= 0;
    }

    /**
     * The MatMul for this backend. Skips the test where the native library did not load or the CPU cannot
     * run this level; where the build made the library ({@code canopy.native.required}, set by the
     * native-kernels profile) a missing library fails instead, so no path this machine runs goes untested.
     */
    MatMul create(Parallel parallel) {
        if (level < 0) {
            return new MatMul(parallel, KernelBackend.JAVA);
        }
        if (Boolean.getBoolean("canopy.native.required")) {
            assertTrue(NativeKernels.load().isPresent(), () -> "the build made the native kernels but they did not "
                    + "load: " + NativeKernels.loadFailure());
        }
        assumeTrue(NativeKernels.load().isPresent(), () -> "native kernels not loaded: " + NativeKernels.loadFailure());
        assumeTrue(level <= NativeKernels.load().orElseThrow().level(), () -> this + ": this CPU cannot run it");
        return MatMul.nativeAtLevel(parallel, level);
    }
}
