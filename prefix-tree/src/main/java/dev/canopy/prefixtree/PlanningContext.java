package dev.canopy.prefixtree;

import java.util.List;

/**
 * What every planning policy reads: the requests, their prefix tree, their estimated outputs, and
 * the KV budget in bytes. Requests are named by their index in the list, which is also their
 * sequence id in the tree.
 */
final class PlanningContext {

    final List<Request> requests;
    final PrefixTree tree;
    final TreeLayout layout;
    final int[] outputs; // (requests) estimated output tokens
    final CostModel cost;
    final EngineLimits limits;
    final double budgetBytes;

    PlanningContext(List<Request> requests, PrefixTree tree, int[] outputs, CostModel cost, EngineLimits limits) {
        this.requests = requests;
        this.tree = tree;
        this.layout = tree.layout();
        this.outputs = outputs;
        this.cost = cost;
        this.limits = limits;
        this.budgetBytes = cost.hardware().kvBudgetBytes();
    }

    int size() {
        return requests.size();
    }

    int promptLength(int request) {
        return requests.get(request).promptLength();
    }

    /** KV tokens the request holds at its end: prompt plus estimated output. */
    long lifeTokens(int request) {
        return (long) promptLength(request) + outputs[request];
    }

    /** Length of the longest common prefix of two requests' prompts: the depth of their terminals' lowest common ancestor. */
    int commonPrefix(int a, int b) {
        return tree.depthOf(lowestCommonAncestor(tree.terminalOf(a), tree.terminalOf(b)));
    }

    /** The node at which the requests' common prefix ends (their terminals' lowest common ancestor). */
    int prefixNode(int[] group) {
        int lca = tree.terminalOf(group[0]);
        for (int i = 1; i < group.length; i++) {
            lca = lowestCommonAncestor(lca, tree.terminalOf(group[i]));
        }
        return lca;
    }

    private int lowestCommonAncestor(int x, int y) {
        while (layout.level(x) > layout.level(y)) {
            x = tree.parentOf(x);
        }
        while (layout.level(y) > layout.level(x)) {
            y = tree.parentOf(y);
        }
        while (x != y) {
            x = tree.parentOf(x);
            y = tree.parentOf(y);
        }
        return x;
    }

    /**
     * KV bytes that {@code request} adds to a group when it shares {@code sharedTokens} prompt tokens with the request
     * before it: in the global layers its tokens beyond the shared prefix, in the sliding-window layers (if any) its own
     * window (an upper bound: a window inside the shared prefix is shared too).
     */
    double addedKvBytes(int request, int sharedTokens) {
        long life = lifeTokens(request);
        ModelShape shape = cost.model();
        return (life - sharedTokens) * shape.globalKvBytesPerToken() + (shape.sequenceKvBytes(life)
                - life * shape.globalKvBytesPerToken());
    }

    /**
     * KV bytes of the requests resident at once, in this order: each prompt's tokens beyond its
     * common prefix with the one before, plus estimated outputs, and each one's window in the sliding-window
     * layers. Exact for the global layers when every subtree's requests are contiguous in the order (a
     * depth-first order), an upper bound otherwise.
     */
    double residentKvBytes(int[] group) {
        double bytes = addedKvBytes(group[0], 0);
        for (int i = 1; i < group.length; i++) {
            bytes += addedKvBytes(group[i], commonPrefix(group[i - 1], group[i]));
        }
        return bytes;
    }

    /** Makes a plan group of {@code group} (request indices in execution order). */
    PlanGroup toGroup(int prefixGroup, int[] group, List<PrefixReuse> reusedBy) {
        int prefix = tree.depthOf(prefixNode(group));
        long kvBytes = (long) Math.ceil(residentKvBytes(group));
        return new PlanGroup(prefixGroup, group, prefix, kvBytes, reusedBy);
    }

    /** Throws when a request alone needs more KV than the budget holds: no plan can run it. */
    void requireEveryRequestFits() {
        for (int r = 0; r < size(); r++) {
            if (addedKvBytes(r, 0) > budgetBytes) {
                throw new IllegalArgumentException("Cannot plan request " + r + " (id " + requests.get(r).id() + "): its prompt ("
                        + promptLength(r) + " tokens) plus estimated output (" + outputs[r] + " tokens) need more KV than the budget of "
                        + cost.hardware().kvBudgetBytes() + " bytes holds (" + cost.kvBudgetTokens() + " tokens)");
            }
        }
    }
}
