package dev.canopy.offload;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/** One block a {@link TieredKvStore} holds, as its {@link TierIndex} sees it. Guarded by the index's lock. */
final class StoredBlock {

    /** Where a prefetch of the block stands: asked for, or done and the block not loaded since. */
    enum Prefetch { NONE, REQUESTED, READY }

    int tier; // tier holding the block
    int pins;
    boolean busy; // a transfer of this block is in flight
    Prefetch prefetch = Prefetch.NONE;
    CompletableFuture<Boolean> pendingPrefetch;
    IOException lostCause; // set once a fault destroyed the block; then it is in no tier

    StoredBlock(int tier) {
        this.tier = tier;
    }

    /** Whether the block is stored and readable (not destroyed by a fault). */
    boolean isIntact() {
        return lostCause == null;
    }
}
