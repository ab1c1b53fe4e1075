package dev.canopy.prefixtree;

import java.util.function.IntBinaryOperator;

/**
 * Depth-first request orders over a prefix tree: a node's own requests, then its children's subtrees,
 * so every subtree's requests are contiguous and each shared prefix is computed once.
 */
final class TreeOrders {

    private TreeOrders() {
    }

    /** Depth-first with children by first token and requests by index: the canonical prefix sort. */
    static int[] byFirstToken(PlanningContext context) {
        TreeLayout layout = context.layout;
        return depthFirst(context, layout.childrenCopy(), layout.endingCopy());
    }

    /**
     * Depth-first with each node's children, and the requests ending at it, sorted by {@code before}
     * (stable, so ties keep the first-token and index order).
     *
     * @param nodeBefore comparator over node ids: negative when the first node's subtree goes first
     * @param requestBefore comparator over request ids ending at the same node
     */
    static int[] sorted(PlanningContext context, IntBinaryOperator nodeBefore, IntBinaryOperator requestBefore) {
        TreeLayout layout = context.layout;
        int[] children = layout.childrenCopy(); // (nodeCount - 1) reordered in place, per parent
        int[] ending = layout.endingCopy(); // (requests) reordered in place, per terminal node
        int nodes = context.tree.nodeCount();
        for (int n = 0; n < nodes; n++) {
            IndexSort.sort(children, layout.childStart(n), layout.childStart(n + 1), nodeBefore);
            IndexSort.sort(ending, layout.endStart(n), layout.endStart(n + 1), requestBefore);
        }
        return depthFirst(context, children, ending);
    }

    private static int[] depthFirst(PlanningContext context, int[] children, int[] ending) {
        TreeLayout layout = context.layout;
        int[] order = new int[context.size()]; // (requests) the depth-first request order
        int[] stack = new int[context.tree.nodeCount()]; // (nodeCount) nodes still to visit
        int top = 0;
        int k = 0;
        stack[top++] = PrefixTree.ROOT;
        while (top > 0) {
            int node = stack[--top];
            for (int i = layout.endStart(node); i < layout.endStart(node + 1); i++) {
                order[k++] = ending[i];
            }
            for (int i = layout.childStart(node + 1) - 1; i >= layout.childStart(node); i--) {
                stack[top++] = children[i]; // pushed last-first, so the first child is visited first
            }
        }
        return order;
    }
}
