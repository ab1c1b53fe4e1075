package dev.canopy.offload;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * When each block will be read next, from the offline job's plan: a step number (any monotone clock the caller
 * uses: scheduler steps, admission order), "no future use", or unknown. {@link PlanAwarePolicy} evicts the block
 * used furthest in the future and drops blocks with no future use. Unknown blocks rank after every known next use
 * but are kept. Not thread-safe.
 */
public final class NextUsePlan {

    /** Largest step accepted. */
    public static final long MAX_STEP = Long.MAX_VALUE - 2;
    static final long UNKNOWN_RANK = Long.MAX_VALUE - 1;
    static final long NO_FUTURE_USE_RANK = Long.MAX_VALUE;

    private final Map<BlockKey, Long> ranks = new HashMap<>();
    private final List<Consumer<BlockKey>> listeners = new ArrayList<>();

    /** {@code key} is next read at {@code step}, in [0, {@link #MAX_STEP}]. */
    public void setNextUse(BlockKey key, long step) {
        if (step < 0 || step > MAX_STEP) {
            throw new IllegalArgumentException("Cannot plan block " + key + ": step must be in [0, " + MAX_STEP
                    + "], got " + step);
        }
        update(key, step);
    }

    /** {@code key} will not be read again: evicting it drops it. */
    public void setNoFutureUse(BlockKey key) {
        update(key, NO_FUTURE_USE_RANK);
    }

    /** Forgets what is known of {@code key} (back to unknown: kept, evicted before planned blocks). */
    public void forget(BlockKey key) {
        if (ranks.remove(key) != null) {
            listeners.forEach(l -> l.accept(key));
        }
    }

    /** The planned step of the next read of {@code key}; empty when unknown or never. */
    public OptionalLong nextUse(BlockKey key) {
        long rank = rank(key);
        return rank <= MAX_STEP ? OptionalLong.of(rank) : OptionalLong.empty();
    }

    /** False only when the plan says {@code key} is never read again. */
    public boolean hasFutureUse(BlockKey key) {
        return rank(key) != NO_FUTURE_USE_RANK;
    }

    /** Blocks the plan knows about. */
    public int size() {
        return ranks.size();
    }

    /** Eviction rank: the next-use step, or {@link #UNKNOWN_RANK}, or {@link #NO_FUTURE_USE_RANK}; larger leaves first. */
    long rank(BlockKey key) {
        return ranks.getOrDefault(key, UNKNOWN_RANK);
    }

    /** Calls {@code listener} with each key whose rank changes. */
    void addListener(Consumer<BlockKey> listener) {
        listeners.add(listener);
    }

    private void update(BlockKey key, long rank) {
        Long old = ranks.put(key, rank);
        if (old == null || old != rank) {
            listeners.forEach(l -> l.accept(key));
        }
    }
}
