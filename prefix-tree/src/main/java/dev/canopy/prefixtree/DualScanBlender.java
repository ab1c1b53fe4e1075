package dev.canopy.prefixtree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * BlendServe's dual scanner: walks a density-sorted request order from both ends at once, taking the
 * next chunk from the memory-heavy end while the plan so far has more compute than memory time, and
 * from the compute-heavy end otherwise. Each end keeps its own depth-first locality, so only two
 * prefixes are live at a time. The first chunk comes from the memory-heavy end: decode-heavy requests
 * start early and their decodes overlap the prefills that follow.
 */
final class DualScanBlender {

    /** A run of requests taken from one end within one prefix group, in execution order. */
    record Piece(int unit, int[] requests) {
    }

    private DualScanBlender() {
    }

    /**
     * @param order requests, compute-densest first
     * @param unitOf (order.length) prefix group of each position
     * @param compute (order.length) compute seconds of each position
     * @param memory (order.length) memory seconds of each position
     * @param chunk most requests taken from one end before the balance is checked again
     */
    static List<Piece> blend(int[] order, int[] unitOf, double[] compute, double[] memory, int chunk) {
        List<Piece> pieces = new ArrayList<>();
        int[] run = new int[order.length]; // (order.length) requests of the piece being gathered
        int runLength = 0;
        int runUnit = -1;
        boolean runFromEnd = false;
        double computeTotal = 0;
        double memoryTotal = 0;
        for (int i = 0; i < order.length; i++) {
            computeTotal += compute[i];
            memoryTotal += memory[i];
        }
        double computeSum = 0;
        double memorySum = 0;
        int left = 0;
        int right = order.length - 1;
        while (left <= right) {
            boolean fromEnd = computeSum * memoryTotal >= memorySum * computeTotal; // denser than the whole job so far
            int unit = unitOf[fromEnd ? right : left];
            if (runLength > 0 && (fromEnd != runFromEnd || unit != runUnit)) {
                pieces.add(new Piece(runUnit, Arrays.copyOf(run, runLength)));
                runLength = 0;
            }
            runUnit = unit;
            runFromEnd = fromEnd;
            for (int taken = 0; taken < chunk && left <= right; taken++) {
                int pos = fromEnd ? right : left;
                if (unitOf[pos] != unit) {
                    break;
                }
                run[runLength++] = order[pos];
                computeSum += compute[pos];
                memorySum += memory[pos];
                if (fromEnd) {
                    right--;
                } else {
                    left++;
                }
            }
        }
        if (runLength > 0) {
            pieces.add(new Piece(runUnit, Arrays.copyOf(run, runLength)));
        }
        return pieces;
    }
}
