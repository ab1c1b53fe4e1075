package dev.canopy.prefixtree;

import java.util.Arrays;

/**
 * Read-side arrays of a built {@link PrefixTree}: each node's children (by first token) and the
 * sequences ending at it, in compressed-row form, plus each node's level (edges from the root).
 * Built in O(nodes log degree) once the tree is complete; a later insert drops it.
 */
final class TreeLayout {

    private final int[] childStart; // (nodeCount + 1) children of n are children[childStart[n] .. childStart[n+1])
    private final int[] children; // (nodeCount - 1) child ids grouped by parent, each group by first token
    private final int[] endStart; // (nodeCount + 1) sequences ending at n are ending[endStart[n] .. endStart[n+1])
    private final int[] ending; // (sequenceCount) sequence ids grouped by terminal node, ascending in a group
    private final int[] level; // (nodeCount) edges between the root and the node

    private TreeLayout(int[] childStart, int[] children, int[] endStart, int[] ending, int[] level) {
        this.childStart = childStart;
        this.children = children;
        this.endStart = endStart;
        this.ending = ending;
        this.level = level;
    }

    static TreeLayout of(PrefixTree tree) {
        int nodes = tree.nodeCount();
        int[] childStart = new int[nodes + 1];
        for (int n = 1; n < nodes; n++) {
            childStart[tree.parentOf(n) + 1]++;
        }
        prefixSum(childStart);
        long[] byToken = new long[Math.max(0, nodes - 1)]; // (nodeCount - 1) (first token << 32 | child), grouped by parent
        int[] fill = Arrays.copyOf(childStart, nodes);
        for (int n = 1; n < nodes; n++) {
            byToken[fill[tree.parentOf(n)]++] = ((long) tree.firstTokenOf(n) << 32) | n;
        }
        int[] children = new int[byToken.length];
        for (int n = 0; n < nodes; n++) {
            Arrays.sort(byToken, childStart[n], childStart[n + 1]);
        }
        for (int i = 0; i < byToken.length; i++) {
            children[i] = (int) byToken[i];
        }
        int sequences = tree.size();
        int[] endStart = new int[nodes + 1];
        for (int s = 0; s < sequences; s++) {
            endStart[tree.terminalOf(s) + 1]++;
        }
        prefixSum(endStart);
        int[] ending = new int[sequences];
        int[] endFill = Arrays.copyOf(endStart, nodes);
        for (int s = 0; s < sequences; s++) {
            ending[endFill[tree.terminalOf(s)]++] = s;
        }
        int[] level = levels(childStart, children, nodes);
        return new TreeLayout(childStart, children, endStart, ending, level);
    }

    /** Children of {@code node}, by first token (a copy). */
    int[] children(int node) {
        return Arrays.copyOfRange(children, childStart[node], childStart[node + 1]);
    }

    int childCount(int node) {
        return childStart[node + 1] - childStart[node];
    }

    int child(int node, int i) {
        return children[childStart[node] + i];
    }

    /** Sequences ending exactly at {@code node}, ascending (a copy). */
    int[] sequencesEndingAt(int node) {
        return Arrays.copyOfRange(ending, endStart[node], endStart[node + 1]);
    }

    int level(int node) {
        return level[node];
    }

    /** Breadth-first from the root: node ids are not ordered by depth (a split adds a node above older ones). */
    private static int[] levels(int[] childStart, int[] children, int nodes) {
        int[] level = new int[nodes]; // (nodeCount)
        int[] queue = new int[nodes]; // (nodeCount) nodes in breadth-first order
        int tail = 1; // queue[0] is ROOT
        for (int head = 0; head < tail; head++) {
            int n = queue[head];
            for (int i = childStart[n]; i < childStart[n + 1]; i++) {
                level[children[i]] = level[n] + 1;
                queue[tail++] = children[i];
            }
        }
        return level;
    }

    private static void prefixSum(int[] counts) {
        for (int i = 1; i < counts.length; i++) {
            counts[i] += counts[i - 1];
        }
    }
}
