package dev.canopy.executor.engine.offload;

import dev.canopy.offload.DiskTier;
import dev.canopy.offload.DiskTierConfig;
import dev.canopy.offload.EvictionPolicyKind;
import dev.canopy.offload.HostMemoryTier;
import dev.canopy.offload.KvTier;
import dev.canopy.offload.SpillFileSystem;
import dev.canopy.offload.SwapMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where preempted sequences' KV may go instead of being recomputed, and how the engine chooses. Immutable.
 *
 * @param tiers          which tiers hold swapped-out blocks; {@link OffloadTiers#NONE} turns swapping off
 * @param hostBytes      bytes of host memory for swapped-out blocks; positive when the tiers use host memory
 * @param spillDirectory directory of the spill files; set when the tiers use disk (null otherwise)
 * @param spillBytes     bytes of spill files; positive when the tiers use disk
 * @param preemption     swap or recompute: by the cost model, or always one of them
 * @param policy         which block a full tier evicts first: LRU, or plan-aware (which also prefetches the blocks
 *                       of the next sequences to swap in)
 */
public record OffloadConfig(OffloadTiers tiers, long hostBytes, Path spillDirectory, long spillBytes,
                            SwapMode preemption, EvictionPolicyKind policy) {

    public static final long DEFAULT_HOST_BYTES = 2L << 30;
    public static final long DEFAULT_SPILL_BYTES = 8L << 30;

    public OffloadConfig {
        Objects.requireNonNull(tiers, "tiers");
        Objects.requireNonNull(preemption, "preemption");
        Objects.requireNonNull(policy, "policy");
        if (tiers.usesHost() && hostBytes < 1) {
            throw new IllegalArgumentException("Cannot configure offload to " + tiers.label()
                    + ": hostBytes must be positive, got " + hostBytes);
        }
        if (tiers.usesDisk() && (spillDirectory == null || spillBytes < 1)) {
            throw new IllegalArgumentException("Cannot configure offload to " + tiers.label()
                    + ": a spill directory and positive spillBytes are needed, got " + spillDirectory + " and "
                    + spillBytes);
        }
    }

    /** No offload: every preemption recomputes. */
    public static OffloadConfig none() {
        return new OffloadConfig(OffloadTiers.NONE, 0, null, 0, SwapMode.ALWAYS_RECOMPUTE, EvictionPolicyKind.LRU);
    }

    /** Swap to host memory, chosen by the cost model, LRU eviction. */
    public static OffloadConfig host(long hostBytes) {
        return new OffloadConfig(OffloadTiers.HOST, hostBytes, null, 0, SwapMode.COST_MODEL, EvictionPolicyKind.LRU);
    }

    /** Whether preemptions may swap (some tier is configured and the mode is not always-recompute). */
    public boolean enabled() {
        return tiers != OffloadTiers.NONE && preemption != SwapMode.ALWAYS_RECOMPUTE;
    }

    public OffloadConfig withTiers(OffloadTiers t, long host, Path dir, long spill) {
        return new OffloadConfig(t, host, dir, spill, preemption, policy);
    }

    public OffloadConfig withPreemption(SwapMode mode) {
        return new OffloadConfig(tiers, hostBytes, spillDirectory, spillBytes, mode, policy);
    }

    public OffloadConfig withPolicy(EvictionPolicyKind kind) {
        return new OffloadConfig(tiers, hostBytes, spillDirectory, spillBytes, preemption, kind);
    }

    /**
     * Opens the configured tiers for blocks of {@code blockBytes}, fastest first; disk files come from
     * {@code spillFiles}. Empty for {@link OffloadTiers#NONE}.
     *
     * @throws IllegalArgumentException when a tier holds no block of that size or the spill directory is unusable
     */
    public List<KvTier> openTiers(long blockBytes, SpillFileSystem spillFiles) {
        List<KvTier> opened = new ArrayList<>(2);
        try {
            if (tiers.usesHost()) {
                opened.add(new HostMemoryTier(hostBytes, blockBytes));
            }
            if (tiers.usesDisk()) {
                opened.add(new DiskTier(DiskTierConfig.of(spillDirectory, spillBytes), blockBytes, spillFiles));
            }
            return opened;
        } catch (RuntimeException e) {
            opened.forEach(KvTier::close);
            throw e;
        }
    }
}
