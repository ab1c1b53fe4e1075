package dev.canopy.executor.tensor;

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

    /** The MatMul for this backend; where the native library did not load, skips the test (fails it on CI). */
    MatMul create(Parallel parallel) {
        if (level < 0) {
            return new MatMul(parallel, KernelBackend.JAVA);
        }
        NativeKernelsUnderTest.loadOrSkip();
        return MatMul.nativeAtLevel(parallel, level);
    }
}
