package dev.canopy.prefixtree;

import java.util.HashMap;
import java.util.Map;

/**
 * Running sequences that are computing a prompt prefix that waiting sequences share, for
 * {@link AdmissionRule#decide}'s shared-prefix input. A waiting sequence whose leading full blocks a running leader
 * has not computed yet waits for it ({@link AdmissionRule.Decision#DEFER}) instead of computing the same KV a second
 * time in the same steps; once the leader's KV is in the prefix cache the follower is admitted and reuses it. (Prefix
 * caching only shares computed blocks, so without this, prompts admitted in the same step would all recompute their
 * common prefix.) Leaders are found by their first block, one per first block.
 *
 * <p>The executor's scheduler and the planner's simulator each read their own sequence type through a {@link View}.
 *
 * @param <S> the sequence type
 */
public final class PrefixLeaderRule<S> {

    /** What the rule reads of a sequence. */
    public interface View<S> {

        int promptTokens(S seq);

        /** Prompt plus output tokens so far. */
        int tokens(S seq);

        int computedTokens(S seq);

        boolean isRunning(S seq);

        /** A key of the sequence's first {@code blockSize} tokens (equal for equal tokens). */
        long firstBlockKey(S seq, int blockSize);

        /**
         * Leading full blocks of {@code blockSize} tokens, among {@code seq}'s first {@code limitTokens} tokens, that are
         * full prompt blocks of {@code leader} too.
         */
        int sharedBlocks(S seq, S leader, int limitTokens, int blockSize);
    }

    private final int blockSize;
    private final View<S> view;
    private final Map<Long, S> byFirstBlock = new HashMap<>();

    public PrefixLeaderRule(int blockSize, View<S> view) {
        this.blockSize = blockSize;
        this.view = view;
    }

    /** Records a newly admitted sequence as the leader of its first block's prefix, unless one is computing it. */
    public void admitted(S seq) {
        if (view.promptTokens(seq) <= blockSize) {
            return;
        }
        long key = view.firstBlockKey(seq, blockSize);
        S current = byFirstBlock.get(key);
        if (current == null || !isComputing(current)) {
            byFirstBlock.put(key, seq);
        }
    }

    /** Whether {@code seq} should stay waiting because a running leader is still computing blocks it shares. */
    public boolean shouldWait(S seq) {
        if (view.tokens(seq) <= blockSize) {
            return false;
        }
        long key = view.firstBlockKey(seq, blockSize);
        S leader = byFirstBlock.get(key);
        if (leader == null || leader == seq) {
            return false;
        }
        if (!isComputing(leader)) {
            byFirstBlock.remove(key);
            return false;
        }
        int sharedBlocks = view.sharedBlocks(seq, leader, view.tokens(seq) - 1, blockSize);
        return sharedBlocks > 0 && view.computedTokens(leader) < sharedBlocks * blockSize;
    }

    private boolean isComputing(S leader) {
        return view.isRunning(leader) && view.computedTokens(leader) < view.promptTokens(leader) / blockSize * blockSize;
    }
}
