package dev.canopy.offload;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Evicts the block whose next use is furthest in the future (Belady's rule, with the future read from a
 * {@link NextUsePlan}); blocks with no future use go first and are dropped, not written down; ties go least recently
 * used first. Plan changes reorder resident blocks at once. O(log n) per event.
 */
public final class PlanAwarePolicy implements EvictionPolicy {

    private record Resident(BlockKey key, long rank, long lastUse) {
    }

    private static final Comparator<Resident> EVICTION_ORDER = Comparator.comparingLong(Resident::rank).reversed()
            .thenComparingLong(Resident::lastUse).thenComparing(Resident::key);

    private final NextUsePlan plan;
    private final Map<BlockKey, Resident> residents = new HashMap<>();
    private final TreeSet<Resident> order = new TreeSet<>(EVICTION_ORDER); // first = next victim
    private long clock;

    /** A policy reading {@code plan}, which it follows as it changes. */
    public PlanAwarePolicy(NextUsePlan plan) {
        this.plan = plan;
        plan.addListener(this::reposition);
    }

    @Override
    public void onInsert(BlockKey key) {
        onRemove(key);
        place(key, ++clock);
    }

    @Override
    public void onAccess(BlockKey key) {
        if (residents.containsKey(key)) {
            onInsert(key);
        }
    }

    @Override
    public void onRemove(BlockKey key) {
        Resident r = residents.remove(key);
        if (r != null) {
            order.remove(r);
        }
    }

    @Override
    public int size() {
        return residents.size();
    }

    @Override
    public Optional<BlockKey> victim(Predicate<BlockKey> evictable) {
        for (Resident r : order) {
            if (evictable.test(r.key())) {
                return Optional.of(r.key());
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean hasFutureUse(BlockKey key) {
        return plan.hasFutureUse(key);
    }

    @Override
    public boolean evictsBefore(BlockKey incoming, BlockKey resident) {
        return plan.rank(incoming) > plan.rank(resident);
    }

    private void reposition(BlockKey key) {
        Resident r = residents.remove(key);
        if (r != null) {
            order.remove(r);
            place(key, r.lastUse());
        }
    }

    private void place(BlockKey key, long lastUse) {
        Resident r = new Resident(key, plan.rank(key), lastUse);
        residents.put(key, r);
        order.add(r);
    }
}
