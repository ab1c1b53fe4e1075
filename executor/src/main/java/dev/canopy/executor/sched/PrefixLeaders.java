package dev.canopy.executor.sched;

import java.util.HashMap;
import java.util.Map;

/**
 * Running sequences that are computing a prompt prefix that waiting sequences share. A waiting
 * sequence whose leading full blocks a running leader has not computed yet waits for it, instead of
 * computing the same KV a second time in the same steps; once the leader's KV is in the prefix
 * cache the follower is admitted and reuses it. (Prefix caching only shares computed blocks, so
 * without this, prompts admitted in the same step would all recompute their common prefix.)
 *
 * <p>Leaders are found by the tokens of their first block, then confirmed token by token.
 */
final class PrefixLeaders {

    private final int blockSize;
    private final Map<Long, Sequence> byFirstBlock = new HashMap<>();

    PrefixLeaders(int blockSize) {
        this.blockSize = blockSize;
    }

    /** Records a newly admitted sequence as the leader of its first block's prefix, unless one exists. */
    void admitted(Sequence seq) {
        if (seq.numPromptTokens() <= blockSize) {
            return;
        }
        long key = firstBlockKey(seq);
        Sequence current = byFirstBlock.get(key);
        if (current == null || !isComputing(current)) {
            byFirstBlock.put(key, seq);
        }
    }

    /** Whether {@code seq} should stay waiting because a running leader is still computing blocks it shares. */
    boolean shouldWait(Sequence seq) {
        if (seq.numTokens() <= blockSize) {
            return false;
        }
        long key = firstBlockKey(seq);
        Sequence leader = byFirstBlock.get(key);
        if (leader == null || leader == seq) {
            return false;
        }
        if (!isComputing(leader)) {
            byFirstBlock.remove(key);
            return false;
        }
        int sharedBlocks = commonTokens(seq, leader, seq.numTokens() - 1) / blockSize;
        return sharedBlocks > 0 && leader.numComputedTokens() < sharedBlocks * blockSize;
    }

    private boolean isComputing(Sequence leader) {
        return leader.status() == SequenceStatus.RUNNING
                && leader.numComputedTokens() < leader.numPromptTokens() / blockSize * blockSize;
    }

    private static int commonTokens(Sequence a, Sequence leader, int limit) {
        int n = Math.min(limit, leader.numPromptTokens());
        int i = 0;
        while (i < n && a.tokenAt(i) == leader.promptTokenAt(i)) {
            i++;
        }
        return i;
    }

    private long firstBlockKey(Sequence seq) {
        long h = 1469598103934665603L;
        for (int i = 0; i < blockSize; i++) {
            h = (h ^ seq.tokenAt(i)) * 1099511628211L;
        }
        return h;
    }
}
