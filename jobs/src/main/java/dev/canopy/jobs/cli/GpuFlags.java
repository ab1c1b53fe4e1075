package dev.canopy.jobs.cli;

import dev.canopy.executor.cuda.GpuSettings;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The GPU arithmetic flags shared by {@code generate}, {@code bench}, {@code plan} and {@code batch}:
 * {@code --tensor-cores on|off} (default on) and {@code --shared-prefix-attention on|off} (default off; on gives up
 * bit-for-bit reproducibility across batches). They matter on the CUDA backend only; on the CPU they are accepted and
 * ignored.
 */
public final class GpuFlags {

    /** {@code --tensor-cores}: Q8_0/Q4_0 weights multiplied on tensor cores. */
    public static final String TENSOR_CORES = "tensor-cores";
    /** {@code --shared-prefix-attention}: cascade attention over shared prefix blocks. */
    public static final String SHARED_PREFIX_ATTENTION = "shared-prefix-attention";
    /** The flags, both taking a value. */
    public static final List<String> NAMES = List.of(TENSOR_CORES, SHARED_PREFIX_ATTENTION);

    /** The declarations, with what each flag does. */
    public static final List<Flag> FLAGS = List.of(
            Flag.value(TENSOR_CORES, "on|off", "on a GPU, Q8_0/Q4_0 weights multiplied on tensor cores (on: several "
                    + "times faster batches, logits within 1e-3 of fp32, each row's output independent of its batch); "
                    + "off: fp32 on CUDA cores. Ignored on the CPU")
                    .withDefault(onOff(GpuSettings.defaults().tensorCores())),
            Flag.value(SHARED_PREFIX_ATTENTION, "on|off", "on a GPU, rows sharing cached prefix blocks attend over "
                    + "them together (on is faster for shared prefixes, but a row's output then depends on which rows "
                    + "share its step, so it is no longer bit-for-bit reproducible). Ignored on the CPU")
                    .withDefault(onOff(GpuSettings.defaults().sharedPrefixAttention())));

    private GpuFlags() {
    }

    /** {@code flags} plus the GPU flags. */
    static Set<String> plus(Set<String> flags) {
        Set<String> all = new HashSet<>(flags);
        all.addAll(NAMES);
        return all;
    }

    /**
     * The GPU settings the flags give: {@link GpuSettings#defaults()} for those not given.
     *
     * @throws UsageException naming a flag whose value is not on or off
     */
    public static GpuSettings parse(Args a) {
        GpuSettings d = GpuSettings.defaults();
        return new GpuSettings(a.has(TENSOR_CORES) ? isOn(TENSOR_CORES, a.required(TENSOR_CORES)) : d.tensorCores(),
                a.has(SHARED_PREFIX_ATTENTION) ? isOn(SHARED_PREFIX_ATTENTION, a.required(SHARED_PREFIX_ATTENTION))
                        : d.sharedPrefixAttention());
    }

    private static String onOff(boolean on) {
        return on ? "on" : "off";
    }

    /**
     * Whether {@code value}, given for {@code --flag}, is {@code on}.
     *
     * @throws UsageException when it is neither on nor off
     */
    public static boolean isOn(String flag, String value) {
        return switch (value) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new UsageException("canopy: --" + flag + " must be on or off, got '" + value + "'");
        };
    }
}
