package dev.canopy.prefixtree;

/**
 * Names a prompt's full KV blocks by the prefix tree, exactly (no hash collisions): block {@code k}
 * holds positions {@code k*B .. (k+1)*B-1}, and two prompts share it iff they share those positions'
 * whole prefix, iff they pass through the node whose edge holds position {@code (k+1)*B-1}. So the key
 * is {@code (that node << 32) | k}. A block that holds output tokens is the sequence's own: its key takes
 * a node id past the tree's nodes, one per sequence.
 */
final class PromptBlocks {

    private PromptBlocks() {
    }

    /** Keys of the full blocks of sequence {@code id}'s prompt, in position order. */
    static long[] keys(PrefixTree tree, int id, int blockTokens) {
        int terminal = tree.terminalOf(id);
        long[] keys = new long[tree.depthOf(terminal) / blockTokens]; // (full prompt blocks)
        for (int node = terminal; node != PrefixTree.ROOT; node = tree.parentOf(node)) {
            int first = tree.parentDepthOf(node) / blockTokens; // blocks whose last position lies on this edge
            int end = tree.depthOf(node) / blockTokens;
            for (int k = first; k < end; k++) {
                keys[k] = ((long) node << 32) | k;
            }
        }
        return keys;
    }

    /** Key of block {@code k} of sequence {@code id} that holds some of its output (nobody else shares it). */
    static long outputKey(PrefixTree tree, int id, int k) {
        return ((long) (tree.nodeCount() + id) << 32) | k;
    }
}
