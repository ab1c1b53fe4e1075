package dev.canopy.prefixtree;

/**
 * A later plan group that reads part of an earlier group's shared prefix from the KV cache.
 *
 * @param group index of the later group in the plan
 * @param sharedTokens leading tokens of the earlier group's prefix that the later group also starts with
 */
public record PrefixReuse(int group, int sharedTokens) {

    public PrefixReuse {
        if (group < 0 || sharedTokens < 1) {
            throw new IllegalArgumentException("Cannot create prefix reuse: group " + group + " must be >= 0 and sharedTokens "
                    + sharedTokens + " >= 1");
        }
    }
}
