package dev.canopy.executor.model;

/**
 * A copy of one KV block between a {@link Backend}'s cache and host memory, started by
 * {@link Backend#readBlockAsync} (swap out) or {@link Backend#writeBlockAsync} (swap in), that may still be
 * running on the device. A backend that copies synchronously (the CPU's) returns transfers already done.
 *
 * <p>What the caller may rely on without waiting:
 * <ul>
 *   <li>a read copies the block as the forward steps queued before it left it, even if later steps write the
 *       block; its payload holds the bytes only after {@link #await()} returns;</li>
 *   <li>a write has taken its payload (the caller may reuse it at once), and every later forward step or block
 *       copy sees the written block: a write need not be awaited.</li>
 * </ul>
 */
public interface KvTransfer {

    /** A transfer that copied its block before it was returned. */
    static KvTransfer completed() {
        return CompletedKvTransfer.COPIED;
    }

    /** A read the backend declined: the block cannot be copied as it is, and nothing was or will be copied. */
    static KvTransfer declined() {
        return CompletedKvTransfer.DECLINED;
    }

    /**
     * Whether the backend declined the copy (a 4-bit block still being filled in full precision has no swap
     * payload): nothing was copied, and the block's tokens must be recomputed instead. Known when the transfer is
     * returned; a declined transfer is done.
     */
    boolean isDeclined();

    /** Whether the copy has finished, so that {@link #await()} returns without waiting for the device. */
    boolean isDone();

    /**
     * Waits until the copy has finished; for a read, the payload then holds the block. Returns at once when it is
     * done or declined; may be called again.
     *
     * @throws IllegalStateException if the backend was closed before the copy finished
     */
    void await();
}
