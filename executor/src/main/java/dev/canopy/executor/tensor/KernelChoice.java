package dev.canopy.executor.tensor;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Which kernel implementation {@link MatMul} is asked to use ({@code --kernels}); {@link KernelPath} resolves the
 * choice to the code path this CPU runs. The {@code NATIVE_*} values force one code path of the C
 * library, narrower than the CPU's best, for tests and benchmarks ({@code --kernels native-avx2} on an
 * AVX-512 machine measures what an AVX2-only machine would run). Not a backend: the compute backend (CPU or CUDA,
 * {@code dev.canopy.executor.backend}) is where the model runs; this choice applies inside the CPU one.
 */
public enum KernelChoice {
    /** The native library where it loaded on this machine, otherwise {@link #JAVA}. */
    AUTO("auto", -1),
    /** The C kernels at the best path this CPU runs (AVX-512 VNNI / AVX2 / portable C). Fails if not loaded. */
    NATIVE("native", -1),
    /** The C kernels' AVX-512 VNNI path; fails where the CPU lacks it. */
    NATIVE_AVX512("native-avx512", 2),
    /** The C kernels' AVX2 + FMA + F16C path; fails where the CPU lacks it. */
    NATIVE_AVX2("native-avx2", 1),
    /** The C kernels' portable C path (on aarch64: NEON with dot product where the CPU has it). */
    NATIVE_C("native-c", 0),
    /** The portable Vector API kernels. */
    JAVA("java", -1);

    /** The names {@link #fromName} accepts, for messages. */
    public static final String NAMES = "auto, native, native-avx512, native-avx2, native-c or java";

    private final String cliName;
    private final int level;

    KernelChoice(String cliName, int level) {
        this.cliName = cliName;
        this.level = level;
    }

    /** The name on the command line and in configuration files, e.g. {@code native-avx2}. */
    public String cliName() {
        return cliName;
    }

    /** The C library's code level this value forces (2 AVX-512, 1 AVX2, 0 portable C), or -1 for none. */
    int forcedLevel() {
        return level;
    }

    /** The value named {@code name} ({@link #cliName()} or the constant's name, any case). */
    public static Optional<KernelChoice> fromName(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('_', '-');
        return Arrays.stream(values()).filter(k -> k.cliName.equals(n)).findFirst();
    }
}
