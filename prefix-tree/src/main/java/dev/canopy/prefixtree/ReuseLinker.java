package dev.canopy.prefixtree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Finds, for each plan group, the later groups that read its prefix: the future-use information an
 * engine's prefix cache needs to keep blocks that will be read again and drop those that will not.
 *
 * <p>One backward pass over the groups: each tree node remembers the earliest later group whose
 * requests pass through it. A group's reuse list is read off the path from its prefix node to the root,
 * then the group marks its own requests' paths. Cost: the summed path lengths, in nodes.
 */
final class ReuseLinker {

    private static final int NEVER = Integer.MAX_VALUE;

    private ReuseLinker() {
    }

    /** Reuse lists for {@code groups} (request indices in execution order), index-aligned with them. */
    static List<List<PrefixReuse>> link(PlanningContext context, List<int[]> groups) {
        PrefixTree tree = context.tree;
        int[] nextUse = new int[tree.nodeCount()]; // (nodeCount) earliest later group through the node
        Arrays.fill(nextUse, NEVER);
        List<List<PrefixReuse>> result = new ArrayList<>(Collections.nCopies(groups.size(), List.of()));
        for (int g = groups.size() - 1; g >= 0; g--) {
            int[] group = groups.get(g);
            result.set(g, reuseOf(tree, nextUse, context.prefixNode(group)));
            for (int request : group) {
                for (int node = tree.terminalOf(request); node != PrefixTree.ROOT && nextUse[node] != g; node = tree.parentOf(node)) {
                    nextUse[node] = g;
                }
            }
        }
        return result;
    }

    /** Walking up from the prefix node, next uses only get earlier: keep the deepest node of each. */
    private static List<PrefixReuse> reuseOf(PrefixTree tree, int[] nextUse, int prefixNode) {
        List<PrefixReuse> deepFirst = new ArrayList<>();
        int last = NEVER;
        for (int node = prefixNode; node != PrefixTree.ROOT; node = tree.parentOf(node)) {
            if (nextUse[node] < last) {
                last = nextUse[node];
                deepFirst.add(new PrefixReuse(last, tree.depthOf(node)));
            }
        }
        return deepFirst.reversed();
    }
}
