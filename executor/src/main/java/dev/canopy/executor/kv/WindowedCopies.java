package dev.canopy.executor.kv;

import java.util.List;

/**
 * The copy-on-write copies one step needs in each pool of a {@link WindowedBlocks}: block ids of the global pool
 * index the global layers' KV, those of the local pool the local layers'.
 *
 * @param global copies among the global layers' blocks, in order
 * @param local  copies among the local layers' blocks, in order
 */
public record WindowedCopies(List<BlockCopy> global, List<BlockCopy> local) {

    public WindowedCopies {
        global = List.copyOf(global);
        local = List.copyOf(local);
    }
}
