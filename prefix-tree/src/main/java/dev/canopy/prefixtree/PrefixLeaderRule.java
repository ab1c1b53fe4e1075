package dev.canopy.prefixtree;

import java.util.HashMap;
import java.util.Map;

/**
 * Running sequences that are computing prompt blocks that waiting sequences share, for {@link AdmissionRule#decide}'s
 * shared-prefix input. A waiting sequence waits ({@link AdmissionRule.Decision#DEFER}) while any running sequence is
 * still computing a block of its prompt's block chain, instead of computing the same KV a second time in the same
 * steps; once that KV is in the prefix cache the follower is admitted and reuses it. (Prefix caching only shares
 * computed blocks, so without this, prompts admitted in the same step would all recompute their common prefix.)
 *
 * <p>Blocks are found by their chain key (a key of the whole prefix up to the block's end), each naming the first
 * running sequence that computes it, so a request waits for the one computing its document even when many others
 * share only its opening. Admission registers a sequence's uncomputed full prompt blocks; {@link #released} forgets
 * them when it finishes or is preempted, so a lookup costs one map probe per block of the waiting prompt and the map
 * holds only running sequences' blocks. A deferred sequence is admitted once every block it waits for is computed or
 * its computing sequence has left the running set: no deadlock.
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

        /**
         * A key of {@code seq}'s prompt up to the end of its full block {@code k} of {@code blockSize} tokens (equal for
         * equal prefixes; unequal prefixes may collide only rarely, and {@link #sharedBlocks} confirms a match).
         */
        long blockKey(S seq, int k, int blockSize);

        /**
         * Leading full blocks of {@code blockSize} tokens, among {@code seq}'s first {@code limitTokens} tokens, that are
         * full prompt blocks of {@code leader} too.
         */
        int sharedBlocks(S seq, S leader, int limitTokens, int blockSize);
    }

    private final int blockSize;
    private final View<S> view;
    private final Map<Long, S> computing = new HashMap<>(); // block chain key -> running sequence computing it

    public PrefixLeaderRule(int blockSize, View<S> view) {
        this.blockSize = blockSize;
        this.view = view;
    }

    /** Records a newly admitted sequence as the computer of its uncomputed full prompt blocks nobody else computes. */
    public void admitted(S seq) {
        int full = view.promptTokens(seq) / blockSize;
        for (int k = view.computedTokens(seq) / blockSize; k < full; k++) {
            long key = view.blockKey(seq, k, blockSize);
            S current = computing.get(key);
            if (current == null || !computes(current, k)) {
                computing.put(key, seq);
            }
        }
    }

    /** Forgets the blocks {@code seq} was computing: call when it finishes or is preempted. */
    public void released(S seq) {
        if (computing.isEmpty()) {
            return;
        }
        int full = view.promptTokens(seq) / blockSize;
        for (int k = 0; k < full; k++) {
            computing.remove(view.blockKey(seq, k, blockSize), seq);
        }
    }

    /** Whether {@code seq} should stay waiting because a running sequence is still computing a block it shares. */
    public boolean shouldWait(S seq) {
        if (computing.isEmpty()) {
            return false;
        }
        int limitTokens = view.tokens(seq) - 1; // its last token is always computed by itself, for logits
        int limit = Math.min(limitTokens / blockSize, view.promptTokens(seq) / blockSize);
        for (int k = 0; k < limit; k++) {
            long key = view.blockKey(seq, k, blockSize);
            S owner = computing.get(key);
            if (owner == null || owner == seq) {
                continue;
            }
            if (!computes(owner, k)) {
                computing.remove(key); // computed (so cached) or gone: nobody computes this block any more
            } else if (view.sharedBlocks(seq, owner, limitTokens, blockSize) > k) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code seq} is running and has not computed its block {@code k} yet. */
    private boolean computes(S seq, int k) {
        return view.isRunning(seq) && view.computedTokens(seq) < (k + 1) * blockSize;
    }
}
