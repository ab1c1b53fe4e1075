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
    private final int[] breadthFirst; // (nodeCount) node ids, parents before children

    private TreeLayout(int[] childStart, int[] children, int[] endStart, int[] ending, int[] breadthFirst) {
        this.childStart = childStart;
        this.children = children;
        this.endStart = endStart;
        this.ending = ending;
        this.breadthFirst = breadthFirst;
        this.level = new int[breadthFirst.length];
        for (int node : breadthFirst) {
            for (int i = childStart[node]; i < childStart[node + 1]; i++) {
                level[children[i]] = level[node] + 1;
            }
        }
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
        return new TreeLayout(childStart, children, endStart, ending, breadthFirst(childStart, children, nodes));
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

    /** Node ids with every parent before its children (the array itself: do not change it). */
    int[] breadthFirstOrder() {
        return breadthFirst;
    }

    /** A copy of the children array, for callers that reorder each node's children in place. */
    int[] childrenCopy() {
        return children.clone();
    }

    /** A copy of the sequences-ending array, for callers that reorder each node's sequences in place. */
    int[] endingCopy() {
        return ending.clone();
    }

    int childStart(int node) {
        return childStart[node];
    }

    int endStart(int node) {
        return endStart[node];
    }

    /** Node ids are not ordered by depth (a split adds a node above older ones), so walk from the root. */
    private static int[] breadthFirst(int[] childStart, int[] children, int nodes) {
        int[] queue = new int[nodes]; // (nodeCount) nodes in breadth-first order; queue[0] is ROOT
        int tail = 1;
        for (int head = 0; head < tail; head++) {
            int n = queue[head];
            for (int i = childStart[n]; i < childStart[n + 1]; i++) {
                queue[tail++] = children[i];
            }
        }
        return queue;
    }

    private static void prefixSum(int[] counts) {
        for (int i = 1; i < counts.length; i++) {
            counts[i] += counts[i - 1];
        }
    }
}
