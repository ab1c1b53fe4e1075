package dev.canopy.prefixtree;

import java.util.Arrays;

/**
 * Cuts an ordered request list into prefix groups that each fit the KV budget when all their
 * requests are resident at once (the shared prefix counted once).
 *
 * <p>Greedy with a look-back: a group grows until the next request would not fit, then is cut at the
 * shallowest shared prefix in the later half of what it gathered, so a subtree that fits is not torn
 * apart and no group is less than half full. Each request is looked at a small constant number of times.
 */
final class UnitPacker {

    private UnitPacker() {
    }

    /**
     * Returns group boundaries: group {@code u} is {@code order[starts[u] .. starts[u+1])}; the last
     * entry is {@code order.length}.
     */
    static int[] pack(PlanningContext context, int[] order) {
        int n = order.length;
        int[] sharedWithPrevious = new int[n]; // (n) common prefix of order[i-1] and order[i]; 0 for i = 0
        for (int i = 1; i < n; i++) {
            sharedWithPrevious[i] = context.commonPrefix(order[i - 1], order[i]);
        }
        int[] starts = new int[Math.max(2, n / 4 + 2)];
        int units = 0;
        int s = 0;
        while (s < n) {
            double used = context.addedKvBytes(order[s], 0);
            int end = s + 1;
            while (end < n) {
                double added = context.addedKvBytes(order[end], sharedWithPrevious[end]);
                if (used + added > context.budgetBytes) {
                    break;
                }
                used += added;
                end++;
            }
            int cut = end == n ? n : shallowestCut(sharedWithPrevious, s, end);
            if (units + 1 >= starts.length) {
                starts = Arrays.copyOf(starts, starts.length * 2);
            }
            starts[units++] = s;
            s = cut;
        }
        starts[units] = n;
        return Arrays.copyOf(starts, units + 1);
    }

    /** The cut in {@code [s + half, end]} with the shortest shared prefix across it, the latest on ties. */
    private static int shallowestCut(int[] sharedWithPrevious, int s, int end) {
        int from = s + Math.max(1, (end - s + 1) / 2);
        int best = end;
        for (int c = end - 1; c >= from; c--) {
            if (sharedWithPrevious[c] < sharedWithPrevious[best]) {
                best = c;
            }
        }
        return best;
    }
}
