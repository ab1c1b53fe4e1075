package dev.canopy.prefixtree;

/**
 * BlendServe's resource annotation of the prefix tree: for every request and subtree, the compute
 * seconds and memory seconds it adds to the steps it runs in. Their ratio, the compute density, tells
 * compute-bound work (long prompts, short answers) from memory-bound work (long decodes over long
 * contexts).
 *
 * <p>Shared prefixes are charged once, on their edge. Weight reads are shared by a step's tokens, so
 * each prefill token is charged {@code 1 / maxTokensPerStep} of a weight read and each decode token
 * {@code 1 / maxSequences} of one: the shares it takes in a full step.
 */
final class ComputeDensity {

    private final PlanningContext context;
    private final double weightSecondsPerPrefillToken;
    private final double prefillMemorySecondsPerToken;
    private final double[] ownCompute; // (requests) seconds of decode work and first-token logits
    private final double[] ownMemory; // (requests) seconds of decode KV reads and weight shares
    private final double[] subtreeCompute; // (nodeCount) seconds of prefill edges and requests below the node
    private final double[] subtreeMemory; // (nodeCount) the same for memory

    private ComputeDensity(PlanningContext context) {
        this.context = context;
        CostModel cost = context.cost;
        this.weightSecondsPerPrefillToken = cost.memorySeconds(cost.weightBytes()) / context.limits.maxTokensPerStep();
        this.prefillMemorySecondsPerToken = weightSecondsPerPrefillToken + cost.memorySeconds(cost.kvBytesPerToken());
        double weightSecondsPerDecodeToken = cost.memorySeconds(cost.weightBytes()) / context.limits.maxSequences();
        int requests = context.size();
        ownCompute = new double[requests];
        ownMemory = new double[requests];
        for (int r = 0; r < requests; r++) {
            RequestCost life = cost.requestCost(context.promptLength(r), context.promptLength(r) - 1, context.outputs[r]);
            double lastPromptToken = cost.linearFlopsPerToken() + context.promptLength(r) * cost.attentionFlopsPerPair();
            ownCompute[r] = cost.computeSeconds(life.totalFlops() - lastPromptToken);
            ownMemory[r] = cost.memorySeconds(life.decodeKvBytes()) + (context.outputs[r] - 1) * weightSecondsPerDecodeToken;
        }
        int nodes = context.tree.nodeCount();
        subtreeCompute = new double[nodes];
        subtreeMemory = new double[nodes];
        sumSubtrees();
    }

    static ComputeDensity of(PlanningContext context) {
        return new ComputeDensity(context);
    }

    /** Denser subtree first; 0 on a tie. */
    int compareNodes(int a, int b) {
        return compareDensity(subtreeCompute[a], subtreeMemory[a], subtreeCompute[b], subtreeMemory[b]);
    }

    /** Denser request first (for requests with the same prompt: the shorter answer); 0 on a tie. */
    int compareRequests(int a, int b) {
        return compareDensity(ownCompute[a], ownMemory[a], ownCompute[b], ownMemory[b]);
    }

    /** Compute seconds of {@code request} when the first {@code cachedTokens} of its prompt are already computed. */
    double computeSeconds(int request, int cachedTokens) {
        CostModel cost = context.cost;
        int length = context.promptLength(request);
        int fresh = length - cachedTokens;
        double prefill = fresh * cost.linearFlopsPerToken() + CostModel.attentionPairs(cachedTokens, length) * cost.attentionFlopsPerPair();
        return cost.computeSeconds(prefill) + ownCompute[request];
    }

    /** Memory seconds of {@code request} when the first {@code cachedTokens} of its prompt are already computed. */
    double memorySeconds(int request, int cachedTokens) {
        return (context.promptLength(request) - cachedTokens) * prefillMemorySecondsPerToken + ownMemory[request];
    }

    private void sumSubtrees() {
        PrefixTree tree = context.tree;
        CostModel cost = context.cost;
        int[] breadthFirst = context.layout.breadthFirstOrder();
        for (int r = 0; r < context.size(); r++) {
            int node = tree.terminalOf(r);
            subtreeCompute[node] += ownCompute[r];
            subtreeMemory[node] += ownMemory[r];
        }
        for (int i = breadthFirst.length - 1; i > 0; i--) { // children before parents; ROOT (i = 0) has no edge
            int node = breadthFirst[i];
            int edge = tree.edgeLengthOf(node);
            double flops = edge * cost.linearFlopsPerToken()
                    + CostModel.attentionPairs(tree.parentDepthOf(node), tree.depthOf(node)) * cost.attentionFlopsPerPair();
            subtreeCompute[node] += cost.computeSeconds(flops);
            subtreeMemory[node] += edge * prefillMemorySecondsPerToken;
            int parent = tree.parentOf(node);
            subtreeCompute[parent] += subtreeCompute[node];
            subtreeMemory[parent] += subtreeMemory[node];
        }
    }

    /** Orders by compute/memory ratio, descending, without dividing (memory may be 0). */
    private static int compareDensity(double computeA, double memoryA, double computeB, double memoryB) {
        return Double.compare(computeB * memoryA, computeA * memoryB);
    }
}
