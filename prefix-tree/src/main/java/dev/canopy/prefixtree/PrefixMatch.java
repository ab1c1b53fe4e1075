package dev.canopy.prefixtree;

/**
 * The result of a longest-prefix lookup.
 *
 * @param node the deepest node whose whole edge matched ({@link PrefixTree#ROOT} when nothing did)
 * @param matchedTokens tokens of the query found in the tree; at least the node's depth, more when the
 *     match goes on part way along one of the node's child edges
 */
public record PrefixMatch(int node, int matchedTokens) {

    public PrefixMatch {
        if (node < 0 || matchedTokens < 0) {
            throw new IllegalArgumentException("Cannot create a prefix match: node " + node + " and matchedTokens " + matchedTokens + " must be >= 0");
        }
    }
}
