package dev.canopy.executor.tensor;

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
     * run this level; where the build made the library (CI, or {@code canopy.native.required} set by the
     * native-kernels profile: see NativeKernelsUnderTest) a missing library fails instead, so no path this
     * machine runs goes untested.
     */
    MatMul create(Parallel parallel) {
        if (level < 0) {
            return new MatMul(parallel, KernelChoice.JAVA);
        }
        NativeKernels kernels = NativeKernelsUnderTest.loadOrSkip();
        assumeTrue(level <= kernels.level(), () -> this + ": this CPU cannot run it");
        return MatMul.nativeAtLevel(parallel, level);
    }
}
