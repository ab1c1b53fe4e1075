package dev.canopy.executor.sched;

import dev.canopy.prefixtree.PrefixLeaderRule;

/**
 * What the scheduler's {@link PrefixLeaderRule} reads of its sequences: leaders are found by a hash of the tokens of
 * their first block, and shared blocks are confirmed token by token.
 */
final class SequenceLeaderView implements PrefixLeaderRule.View<Sequence> {

    @Override
    public int promptTokens(Sequence seq) {
        return seq.numPromptTokens();
    }

    @Override
    public int tokens(Sequence seq) {
        return seq.numTokens();
    }

    @Override
    public int computedTokens(Sequence seq) {
        return seq.numComputedTokens();
    }

    @Override
    public boolean isRunning(Sequence seq) {
        return seq.status() == SequenceStatus.RUNNING;
    }

    @Override
    public long firstBlockKey(Sequence seq, int blockSize) {
        long h = 1469598103934665603L;
        for (int i = 0; i < blockSize; i++) {
            h = (h ^ seq.tokenAt(i)) * 1099511628211L;
        }
        return h;
    }

    @Override
    public int sharedBlocks(Sequence seq, Sequence leader, int limitTokens, int blockSize) {
        int n = Math.min(limitTokens, leader.numPromptTokens());
        int i = 0;
        while (i < n && seq.tokenAt(i) == leader.promptTokenAt(i)) {
            i++;
        }
        return i / blockSize;
    }
}
