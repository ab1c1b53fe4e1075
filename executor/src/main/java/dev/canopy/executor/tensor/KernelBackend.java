package dev.canopy.executor.tensor;

/** Which implementation {@link MatMul} uses. */
public enum KernelBackend {
    /** The native library where it loaded on this machine, otherwise {@link #JAVA}. */
    AUTO,
    /** The C kernels (AVX-512 VNNI / AVX2 / generic, chosen by the library for this CPU). Fails if not loaded. */
    NATIVE,
    /** The portable Vector API kernels. */
    JAVA
}
