package dev.canopy.jobs.cli;

import dev.canopy.executor.engine.OffloadConfig;
import dev.canopy.executor.engine.OffloadTiers;
import dev.canopy.offload.EvictionPolicyKind;
import dev.canopy.offload.SwapMode;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The KV offload flags shared by {@code generate}, {@code bench} and {@code plan}: where preempted sequences' KV may
 * be swapped to ({@code --offload none|host|disk|host+disk}, {@code --host-kv SIZE}, {@code --spill-dir DIR},
 * {@code --spill-size SIZE}), whether to swap ({@code --preempt swap|recompute|auto}) and how a full tier evicts
 * ({@code --offload-policy lru|plan}).
 */
final class OffloadFlags {

    /** The flags, all taking a value. */
    static final Set<String> NAMES = Set.of("offload", "host-kv", "spill-dir", "spill-size", "preempt",
            "offload-policy");

    /** One usage line. */
    static final String USAGE = "[--offload none|host|disk|host+disk] [--host-kv 2g] [--spill-dir DIR] "
            + "[--spill-size 8g] [--preempt auto|swap|recompute] [--offload-policy lru|plan]";

    private OffloadFlags() {
    }

    /** {@code flags} plus the offload flags. */
    static Set<String> plus(Set<String> flags) {
        Set<String> all = new HashSet<>(flags);
        all.addAll(NAMES);
        return all;
    }

    /**
     * The offload settings the flags give; {@link OffloadConfig#none()} without {@code --offload}.
     *
     * @throws IllegalArgumentException naming a bad value and the allowed ones
     */
    static OffloadConfig parse(Args a) {
        return parse(a, "none", OffloadConfig.DEFAULT_HOST_BYTES, "auto");
    }

    /**
     * Like {@link #parse(Args)}, with other defaults for {@code --offload}, {@code --host-kv} and {@code --preempt}.
     *
     * @throws IllegalArgumentException naming a bad value and the allowed ones
     */
    static OffloadConfig parse(Args a, String defaultTiers, long defaultHostBytes, String defaultPreempt) {
        OffloadTiers tiers = OffloadTiers.parse(a.get("offload").orElse(defaultTiers));
        if (tiers == OffloadTiers.NONE) {
            return OffloadConfig.none();
        }
        Path spillDir = Path.of(a.get("spill-dir").orElse(System.getProperty("java.io.tmpdir")));
        return new OffloadConfig(tiers, a.bytesValue("host-kv", defaultHostBytes),
                tiers.usesDisk() ? spillDir : null, a.bytesValue("spill-size", OffloadConfig.DEFAULT_SPILL_BYTES),
                preemption(a.get("preempt").orElse(defaultPreempt)), policy(a.get("offload-policy").orElse("lru")));
    }

    private static SwapMode preemption(String text) {
        return switch (text) {
            case "auto" -> SwapMode.COST_MODEL;
            case "swap" -> SwapMode.ALWAYS_SWAP;
            case "recompute" -> SwapMode.ALWAYS_RECOMPUTE;
            default -> throw new IllegalArgumentException("Cannot parse --preempt '" + text
                    + "': expected auto, swap or recompute");
        };
    }

    private static EvictionPolicyKind policy(String text) {
        return switch (text) {
            case "lru" -> EvictionPolicyKind.LRU;
            case "plan" -> EvictionPolicyKind.PLAN_AWARE;
            default -> throw new IllegalArgumentException("Cannot parse --offload-policy '" + text
                    + "': expected lru or plan");
        };
    }
}
