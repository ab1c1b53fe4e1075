package dev.canopy.prefixtree;

/**
 * What the simulator's {@link PrefixLeaderRule} reads of its sequences: blocks are compared by their prefix keys,
 * which name the same prefixes as the executor's token comparison.
 */
final class SimulatedLeaderView implements PrefixLeaderRule.View<SimulatedSequence> {

    @Override
    public int promptTokens(SimulatedSequence seq) {
        return seq.prompt;
    }

    @Override
    public int tokens(SimulatedSequence seq) {
        return seq.tokens();
    }

    @Override
    public int computedTokens(SimulatedSequence seq) {
        return seq.computed;
    }

    @Override
    public boolean isRunning(SimulatedSequence seq) {
        return seq.running;
    }

    @Override
    public long blockKey(SimulatedSequence seq, int k, int blockTokens) {
        return seq.key(k);
    }

    @Override
    public int sharedBlocks(SimulatedSequence seq, SimulatedSequence leader, int limitTokens, int blockTokens) {
        int limit = Math.min(limitTokens / blockTokens, leader.promptBlocks());
        int k = 0;
        while (k < limit && seq.key(k) == leader.key(k)) {
            k++;
        }
        return k;
    }
}
