package dev.canopy.jobs.cli;

import dev.canopy.executor.engine.offload.OffloadConfig;
import dev.canopy.executor.engine.offload.OffloadTiers;
import dev.canopy.offload.EvictionPolicyKind;
import dev.canopy.offload.SwapMode;
import java.nio.file.Path;
import dev.canopy.jobs.units.ByteSize;
import java.util.List;

/**
 * The KV offload flags shared by {@code generate}, {@code bench} and {@code plan}: where preempted sequences' KV may
 * be swapped to ({@code --offload none|host|disk|host+disk}, {@code --host-kv SIZE}, {@code --spill-dir DIR},
 * {@code --spill-size SIZE}), whether to swap ({@code --preempt swap|recompute|auto}) and how a full tier evicts
 * ({@code --offload-policy lru|plan}).
 */
final class OffloadFlags {

    /**
     * The declarations. No declared defaults: {@code bench --compare offload} has its own ({@link #parse(Args, String,
     * long, String)}), so each description says both.
     */
    static final List<Flag> FLAGS = List.of(
            Flag.value("offload", "none|host|disk|host+disk", "where preempted sequences' KV may be swapped to, and "
                    + "evicted prefix-cache blocks kept (default none; bench --compare offload: host)"),
            Flag.value("host-kv", "SIZE", "host memory for swapped KV (default " + ByteSize.format(
                    OffloadConfig.DEFAULT_HOST_BYTES) + "; bench --compare offload: the workload's working set)"),
            Flag.value("spill-dir", "DIR", "directory of the disk tier (default: java.io.tmpdir)"),
            Flag.value("spill-size", "SIZE", "most bytes of the disk tier (default "
                    + ByteSize.format(OffloadConfig.DEFAULT_SPILL_BYTES) + ")"),
            Flag.value("preempt", "auto|swap|recompute", "a preempted sequence's KV is swapped out or recomputed; "
                    + "auto asks the cost model (default auto; bench --compare offload: swap)"),
            Flag.value("offload-policy", "lru|plan", "which blocks a full tier evicts: least recently used, or "
                    + "plan-aware (those no waiting request starts with first) (default lru)"));

    private OffloadFlags() {
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
