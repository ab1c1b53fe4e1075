package dev.canopy.offload;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.function.Predicate;

/** Least recently used first: the baseline, blind to the plan. O(1) per event; a victim search skips ineligible blocks. */
public final class LruPolicy implements EvictionPolicy {

    private final LinkedHashSet<BlockKey> order = new LinkedHashSet<>(); // least recently used first

    @Override
    public void onInsert(BlockKey key) {
        order.remove(key);
        order.addLast(key);
    }

    @Override
    public void onAccess(BlockKey key) {
        if (order.remove(key)) {
            order.addLast(key);
        }
    }

    @Override
    public void onRemove(BlockKey key) {
        order.remove(key);
    }

    @Override
    public int size() {
        return order.size();
    }

    @Override
    public Optional<BlockKey> victim(Predicate<BlockKey> evictable) {
        return order.stream().filter(evictable).findFirst();
    }
}
