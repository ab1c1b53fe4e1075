package dev.canopy.jobs.cli;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code canopy bench}'s workloads and the default of each sizing flag per workload: the flags mean different sizes
 * for different workloads ({@code --output-len} is 64 tokens for shared-prefix, 1024 for long-output), so the
 * defaults live here, once, and both the bench and the flags' help read them.
 */
enum BenchWorkload {

    SINGLE_STREAM("single stream", Map.of("prompt-len", "128")),
    SHARED_PREFIX("shared-prefix", Map.of("groups", "4", "per-group", "16", "prefix-len", "512", "suffix-len", "32",
            "output-len", "64")),
    RANDOM("random", Map.of("requests", "32", "prompt-len", "128:512", "output-len", "64:128")),
    MIXED("mixed", Map.of("groups", "4", "per-group", "8", "prefix-len", "384", "suffix-len", "32",
            "output-len", "16")),
    LONG_OUTPUT("long-output", Map.of("requests", "32", "prompt-len", "64", "output-len", "1024"));

    private final String label;
    private final Map<String, String> defaults;

    BenchWorkload(String label, Map<String, String> defaults) {
        this.label = label;
        this.defaults = defaults;
    }

    /**
     * The workload {@code --workload NAME} names.
     *
     * @throws UsageException naming the value and the workloads there are
     */
    static BenchWorkload named(String name) {
        return Arrays.stream(values()).filter(w -> w != SINGLE_STREAM && w.label.equals(name)).findFirst()
                .orElseThrow(() -> new UsageException("canopy bench: --workload must be shared-prefix, random, mixed "
                        + "or long-output, got '" + name + "'"));
    }

    /** {@code flag}'s value, else this workload's default for it. */
    String value(Args a, String flag) {
        return a.has(flag) ? a.required(flag) : Optional.ofNullable(defaults.get(flag)).orElseThrow(
                () -> new IllegalStateException("workload " + label + " has no default for --" + flag));
    }

    /** {@code flag}'s value, else this workload's default for it, as an int. */
    int intValue(Args a, String flag) {
        return a.intValue(flag, Integer.parseInt(value(a, flag)));
    }

    /** The defaults of {@code flag} for the help: {@code default: shared-prefix 64, long-output 1024}. */
    static String defaultsOf(String flag) {
        Map<String, String> byWorkload = new LinkedHashMap<>();
        for (BenchWorkload w : values()) {
            if (w.defaults.containsKey(flag)) {
                byWorkload.put(w.label, w.defaults.get(flag));
            }
        }
        return "default: " + byWorkload.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }
}
