package dev.canopy.executor.tensor;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.incubator.vector.FloatVector;

/**
 * Names the kernel code paths and resolves a {@link KernelChoice} request to a level of the C library:
 * the CPU's best for {@code AUTO}/{@code NATIVE}, the forced one for {@code NATIVE_AVX512}/{@code _AVX2}/{@code _C}
 * (an error where the CPU cannot run it). Where the library is missing for this machine, {@code AUTO} runs the
 * Vector API kernels and says so once.
 */
public final class KernelPath {

    private static final System.Logger LOG = System.getLogger(KernelPath.class.getName());
    private static final AtomicBoolean SAID_JAVA = new AtomicBoolean();

    private KernelPath() {}

    /** What {@code new MatMul(parallel, backend)} multiplies with on this machine, without building one. */
    public static String describe(KernelChoice backend) {
        if (backend == KernelChoice.JAVA) {
            return javaName();
        }
        Optional<NativeKernels> kernels = NativeKernels.load();
        if (kernels.isEmpty()) {
            return backend == KernelChoice.AUTO ? javaName() : "unavailable (" + NativeKernels.loadFailure() + ")";
        }
        return nativeName(Math.min(kernels.get().level(), backend.forcedLevel() < 0 ? 2 : backend.forcedLevel()));
    }

    static Optional<NativeKernels> loadOrSayWhy() {
        Optional<NativeKernels> kernels = NativeKernels.load();
        if (kernels.isEmpty() && SAID_JAVA.compareAndSet(false, true)) {
            LOG.log(Level.INFO, "Native kernels not available on this machine (" + NativeKernels.loadFailure()
                    + "); multiplying with the " + javaName() + " kernels");
        }
        return kernels;
    }

    static int level(KernelChoice backend, NativeKernels kernels) {
        int forced = backend.forcedLevel();
        if (forced < 0) {
            return kernels.level();
        }
        if (forced > 0 && NativeKernels.PLATFORM.endsWith("aarch64")) {
            throw new IllegalStateException("Cannot use --kernels " + backend.cliName() + " on " + NativeKernels.PLATFORM
                    + ": it is an x86-64 path; use --kernels native (NEON) or native-c");
        }
        if (forced > kernels.level()) {
            throw new IllegalStateException("Cannot use --kernels " + backend.cliName() + ": this CPU runs at best "
                    + nativeName(kernels.level()) + "; use --kernels native or a narrower path");
        }
        return forced;
    }

    static String nativeName(int level) {
        return switch (level) {
            case 2 -> "native AVX-512 VNNI";
            case 1 -> "native AVX2";
            default -> "native " + (NativeKernels.PLATFORM.endsWith("aarch64") ? "NEON" : "portable C");
        };
    }

    /** The CPU's model name from /proc/cpuinfo ("model name", on ARM the implementer and part), else os.arch. */
    public static String cpuModel() {
        String arch = System.getProperty("os.arch", "unknown");
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            Map<String, String> first = new LinkedHashMap<>(); // the first processor's value of each key
            lines.map(l -> l.split(":", 2)).filter(kv -> kv.length == 2)
                    .forEach(kv -> first.putIfAbsent(kv[0].trim(), kv[1].trim()));
            if (first.containsKey("model name")) {
                return first.get("model name");
            }
            return arch + " (CPU implementer " + first.getOrDefault("CPU implementer", "?") + ", part "
                    + first.getOrDefault("CPU part", "?") + ")";
        } catch (IOException | RuntimeException e) {
            return arch;
        }
    }

    static String javaName() {
        return "Java Vector API (" + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit)";
    }
}
