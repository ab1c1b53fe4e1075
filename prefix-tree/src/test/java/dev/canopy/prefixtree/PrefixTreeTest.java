package dev.canopy.prefixtree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PrefixTreeTest {

    private static final int[] ABCD = {1, 2, 3, 4};
    private static final int[] ABXY = {1, 2, 8, 9};
    private static final int[] AB = {1, 2};

    @Test
    void aSingleSequenceIsOneEdgeUnderTheRoot() {
        PrefixTree tree = new PrefixTree();
        int id = tree.insert(ABCD);

        assertThat(id).isZero();
        int[] children = tree.children(PrefixTree.ROOT);
        assertThat(children).hasSize(1);
        assertThat(tree.edgeLabel(children[0])).containsExactly(1, 2, 3, 4);
        assertThat(tree.terminalNode(id)).isEqualTo(children[0]);
        assertThat(tree.depth(children[0])).isEqualTo(4);
        assertThat(tree.requestCount(PrefixTree.ROOT)).isEqualTo(1);
    }

    @Test
    void aSequenceLeavingAnEdgePartWaySplitsIt() {
        PrefixTree tree = new PrefixTree();
        int first = tree.insert(ABCD);
        int second = tree.insert(ABXY);

        int shared = tree.children(PrefixTree.ROOT)[0];
        assertThat(tree.edgeLabel(shared)).containsExactly(1, 2);
        assertThat(tree.requestCount(shared)).isEqualTo(2);
        assertThat(tree.tokensSaved(shared)).isEqualTo(2);
        int[] below = tree.children(shared);
        assertThat(below).containsExactly(tree.terminalNode(first), tree.terminalNode(second));
        assertThat(tree.edgeLabel(below[0])).containsExactly(3, 4);
        assertThat(tree.edgeLabel(below[1])).containsExactly(8, 9);
        assertThat(tree.parent(below[1])).hasValue(shared);
        assertThat(tree.nodeCount()).isEqualTo(4);
        assertThat(tree.totalTokensSaved()).isEqualTo(2);
    }

    @Test
    void insertionOrderDoesNotChangeTheTreeShape() {
        List<int[]> prompts = List.of(ABCD, ABXY, AB, new int[] {7}, new int[] {1, 2, 3}, new int[] {1, 5});
        String reference = shape(build(prompts));
        Random random = new Random(42);
        for (int trial = 0; trial < 20; trial++) {
            List<int[]> shuffled = new ArrayList<>(prompts);
            java.util.Collections.shuffle(shuffled, random);
            assertThat(shape(build(shuffled))).isEqualTo(reference);
        }
        assertThat(reference).isEqualTo("[1]x5{[2]x4{[3]x2{[4]x1}[8,9]x1}[5]x1}[7]x1");
    }

    @Test
    void identicalPromptsEndAtTheSameNodeAndShareEveryToken() {
        PrefixTree tree = new PrefixTree();
        int a = tree.insert(new int[] {5, 6, 7});
        int b = tree.insert(new int[] {5, 6, 7});

        int node = tree.terminalNode(a);
        assertThat(tree.terminalNode(b)).isEqualTo(node);
        assertThat(tree.sequencesEndingAt(node)).containsExactly(a, b);
        assertThat(tree.requestCount(node)).isEqualTo(2);
        assertThat(tree.tokensSaved(node)).isEqualTo(3);
        assertThat(tree.nodeCount()).isEqualTo(2);
    }

    @Test
    void anEmptyPromptEndsAtTheRoot() {
        PrefixTree tree = new PrefixTree();
        tree.insert(ABCD);
        int empty = tree.insert(new int[0]);

        assertThat(tree.terminalNode(empty)).isEqualTo(PrefixTree.ROOT);
        assertThat(tree.sequencesEndingAt(PrefixTree.ROOT)).containsExactly(empty);
        assertThat(tree.requestCount(PrefixTree.ROOT)).isEqualTo(2);
        assertThat(tree.longestPrefixMatch(new int[0])).isEqualTo(new PrefixMatch(PrefixTree.ROOT, 0));
        assertThat(tree.parent(PrefixTree.ROOT)).isEmpty();
    }

    @Test
    void aPromptThatIsAPrefixOfAnotherEndsAtAnInnerNode() {
        PrefixTree tree = new PrefixTree();
        int longer = tree.insert(ABCD);
        int shorter = tree.insert(AB);

        int inner = tree.terminalNode(shorter);
        assertThat(tree.depth(inner)).isEqualTo(2);
        assertThat(tree.children(inner)).containsExactly(tree.terminalNode(longer));
        assertThat(tree.requestCount(inner)).isEqualTo(2);
        assertThat(tree.sequencesEndingAt(inner)).containsExactly(shorter);
    }

    @Test
    void aPromptExtendingAnotherAddsANodeBelowIt() {
        PrefixTree tree = new PrefixTree();
        int shorter = tree.insert(AB);
        int longer = tree.insert(ABCD);

        assertThat(tree.parent(tree.terminalNode(longer))).hasValue(tree.terminalNode(shorter));
        assertThat(tree.edgeLabel(tree.terminalNode(longer))).containsExactly(3, 4);
    }

    @Test
    void longestPrefixMatchStopsAtNodesAndPartWayAlongEdges() {
        PrefixTree tree = new PrefixTree();
        tree.insert(ABCD);
        tree.insert(ABXY);
        int shared = tree.children(PrefixTree.ROOT)[0];

        assertThat(tree.longestPrefixMatch(new int[] {1, 2, 3, 4, 5})).satisfies(m -> {
            assertThat(m.matchedTokens()).isEqualTo(4);
            assertThat(tree.depth(m.node())).isEqualTo(4);
        });
        assertThat(tree.longestPrefixMatch(new int[] {1, 2, 8, 0})).isEqualTo(new PrefixMatch(shared, 3));
        assertThat(tree.longestPrefixMatch(new int[] {1, 2, 6})).isEqualTo(new PrefixMatch(shared, 2));
        assertThat(tree.longestPrefixMatch(new int[] {1})).isEqualTo(new PrefixMatch(PrefixTree.ROOT, 1));
        assertThat(tree.longestPrefixMatch(new int[] {9})).isEqualTo(new PrefixMatch(PrefixTree.ROOT, 0));
    }

    @Test
    void countsAndSavingsAddUpOverRandomPrompts() {
        Random random = new Random(7);
        PrefixTree tree = new PrefixTree(4);
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            int[] p = new int[random.nextInt(12)];
            for (int k = 0; k < p.length; k++) {
                p[k] = random.nextInt(3) - 1; // tiny alphabet, negative ids included: heavy sharing and many splits
            }
            prompts.add(p);
            tree.insert(p);
        }
        long distinct = 0;
        long saved = 0;
        for (int n = 1; n < tree.nodeCount(); n++) {
            distinct += tree.edgeLength(n);
            saved += tree.tokensSaved(n);
            int[] kids = tree.children(n);
            int below = tree.sequencesEndingAt(n).length;
            for (int kid : kids) {
                below += tree.requestCount(kid);
            }
            assertThat(below).isEqualTo(tree.requestCount(n));
        }
        assertThat(distinct).isEqualTo(tree.distinctTokens());
        assertThat(saved).isEqualTo(tree.totalTokensSaved());
        for (int i = 0; i < prompts.size(); i++) {
            assertThat(tree.depth(tree.terminalNode(i))).isEqualTo(prompts.get(i).length);
            assertThat(tree.longestPrefixMatch(prompts.get(i)).matchedTokens()).isEqualTo(prompts.get(i).length);
        }
    }

    @Test
    void rejectsUnknownNodesAndSequencesNamingTheRange() {
        PrefixTree tree = new PrefixTree();
        tree.insert(AB);
        assertThatThrownBy(() -> tree.depth(5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot read node 5: the tree has 2 nodes, ids 0..1");
        assertThatThrownBy(() -> tree.terminalNode(1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot read sequence 1: the tree holds 1 sequences");
    }

    private static PrefixTree build(List<int[]> prompts) {
        PrefixTree tree = new PrefixTree();
        prompts.forEach(tree::insert);
        return tree;
    }

    /** Canonical text of the tree: each child as [label]xcount{children}, children by first token. */
    private static String shape(PrefixTree tree) {
        StringBuilder out = new StringBuilder();
        appendChildren(tree, PrefixTree.ROOT, out);
        return out.toString();
    }

    private static void appendChildren(PrefixTree tree, int node, StringBuilder out) {
        for (int child : tree.children(node)) {
            StringBuilder label = new StringBuilder();
            for (int t : tree.edgeLabel(child)) {
                label.append(label.isEmpty() ? "" : ",").append(t);
            }
            out.append('[').append(label).append("]x").append(tree.requestCount(child));
            if (tree.children(child).length > 0) {
                out.append('{');
                appendChildren(tree, child, out);
                out.append('}');
            }
        }
    }
}
