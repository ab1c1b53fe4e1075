package dev.canopy.executor.sched;

import dev.canopy.executor.kv.BlockHasher;
import dev.canopy.prefixtree.PrefixLeaderRule;

/**
 * What the scheduler's {@link PrefixLeaderRule} reads of its sequences: blocks are keyed by the chain hash the prefix
 * cache names them with ({@link BlockHasher#chainHashes}, made once per sequence), and shared blocks are confirmed token by
 * token.
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
    public long blockKey(Sequence seq, int k, int blockSize) {
        long[] keys = seq.promptBlockKeys();
        if (keys == null) {
            keys = BlockHasher.chainHashes(seq.promptTokenIds(), seq.numPromptTokens() / blockSize, blockSize);
            seq.setPromptBlockKeys(keys);
        }
        return keys[k];
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
