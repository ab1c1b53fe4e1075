package dev.canopy.executor.cuda;

import dev.canopy.executor.model.ForwardBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which rows of a step attend over the same leading KV blocks, for shared-prefix attention
 * ({@code shared_prefix.cuh}): sequences whose block tables start with the same physical blocks (the
 * prefix cache hands them the same blocks) form a group, and the group's rows attend over those blocks
 * together. The shared length is the longest common start of the group's tables, in whole blocks, and
 * never reaches a row's own position: every row keeps at least its own position for the per-row
 * kernel. A group has at least two sequences; its rows are cut into groups of at most
 * {@code maxMembers} (the rows one CUDA block holds).
 *
 * <p>Arrays sized for the step's {@code n} rows, so that their places in the step inputs depend on
 * {@code n} only:
 *
 * @param prefixEnd (n) positions below {@code prefixEnd[r]} come from row r's group; 0: no group
 * @param groups    (4n) per group {tableStart, shared positions, first member, member count}; groups
 *                  past {@link #count()} are all zeros
 * @param members   (n) the groups' rows, group after group
 * @param count     the number of groups
 */
record SharedPrefixes(int[] prefixEnd, int[] groups, int[] members, int count) {

    /** Ints per group in {@link #groups()}. */
    static final int GROUP_INTS = 4;

    /**
     * The groups of {@code b}.
     *
     * @param tableStart (sequences) where each sequence's block table starts in the step's flattened tables
     * @param maxMembers the most rows one group may have (at least 1)
     */
    static SharedPrefixes of(ForwardBatch b, int blockSize, int[] tableStart, int maxMembers) {
        int n = b.rows();
        int[][] tables = b.blockTables();
        List<List<Integer>> rowsOf = new ArrayList<>();
        int[] minPosition = new int[tables.length];
        Arrays.fill(minPosition, Integer.MAX_VALUE);
        for (int s = 0; s < tables.length; s++) {
            rowsOf.add(new ArrayList<>());
        }
        for (int r = 0; r < n; r++) {
            int s = b.rowSequence()[r];
            rowsOf.get(s).add(r);
            minPosition[s] = Math.min(minPosition[s], b.positions()[r]);
        }
        Map<Integer, List<Integer>> byFirstBlock = new LinkedHashMap<>(); // first block -> sequences, in order
        for (int s = 0; s < tables.length; s++) {
            if (!rowsOf.get(s).isEmpty() && tables[s].length > 0) {
                byFirstBlock.computeIfAbsent(tables[s][0], k -> new ArrayList<>()).add(s);
            }
        }
        int[] prefixEnd = new int[n];
        int[] groups = new int[GROUP_INTS * n];
        int[] members = new int[n];
        int count = 0;
        int memberCount = 0;
        for (List<Integer> sequences : byFirstBlock.values()) {
            if (sequences.size() < 2) {
                continue;
            }
            int first = sequences.get(0);
            int sharedBlocks = Integer.MAX_VALUE;
            for (int s : sequences) {
                sharedBlocks = Math.min(sharedBlocks, Math.min(commonStart(tables[first], tables[s]),
                        minPosition[s] / blockSize)); // positions 0 .. sharedBlocks * blockSize - 1 < every row's
            }
            if (sharedBlocks == 0) {
                continue;
            }
            List<Integer> rows = new ArrayList<>();
            sequences.forEach(s -> rows.addAll(rowsOf.get(s)));
            for (int from = 0; from < rows.size(); from += maxMembers) {
                int size = Math.min(maxMembers, rows.size() - from);
                groups[GROUP_INTS * count] = tableStart[first];
                groups[GROUP_INTS * count + 1] = sharedBlocks * blockSize;
                groups[GROUP_INTS * count + 2] = memberCount;
                groups[GROUP_INTS * count + 3] = size;
                for (int i = 0; i < size; i++) {
                    int r = rows.get(from + i);
                    members[memberCount++] = r;
                    prefixEnd[r] = sharedBlocks * blockSize;
                }
                count++;
            }
        }
        return new SharedPrefixes(prefixEnd, groups, members, count);
    }

    /** How many leading block ids {@code a} and {@code b} have in common. */
    private static int commonStart(int[] a, int[] b) {
        int i = 0;
        while (i < a.length && i < b.length && a[i] == b[i]) {
            i++;
        }
        return i;
    }
}
