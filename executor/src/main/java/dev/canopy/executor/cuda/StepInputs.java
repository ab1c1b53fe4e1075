package dev.canopy.executor.cuda;

import dev.canopy.executor.model.ForwardBatch;

/**
 * One step's integer inputs, checked and flattened into one array for a single copy to the GPU:
 * {@code [tokens (rows)] [positions (rows)] [rowTables (rows)] [logitRows (logitRows)] [tables]}, where
 * {@code tables} is every sequence's block table back to back and {@code rowTables[r]} is the index in
 * {@code tables} where row r's sequence's table starts. A step with shared-prefix groups
 * ({@link SharedPrefixes}) has {@code [prefixEnd (rows)] [groups (4 rows)] [members (rows)]} between the
 * logit rows and the tables, so every offset but the tables' depends on the row counts only. Checking
 * here keeps a bad batch from becoming an illegal memory access on the GPU.
 *
 * @param rows        token rows in the step
 * @param logitRows   rows whose logits are wanted
 * @param maxPosition the largest position of any row
 * @param ints        the flattened array
 * @param groups      shared-prefix groups in the step (0: no group sections)
 */
record StepInputs(int rows, int logitRows, int maxPosition, int[] ints, int groups) {

    /**
     * Flattens {@code b}.
     *
     * @param maxPositions positions a row may have are 0 .. maxPositions - 1
     * @throws IllegalArgumentException naming the row and value when a token, position, block id or
     *     logit row is out of range, or a block table is too short for a row's position
     */
    static StepInputs of(ForwardBatch b, int vocab, int numBlocks, int blockSize, int maxPositions) {
        return of(b, vocab, numBlocks, blockSize, maxPositions, 0);
    }

    /**
     * Flattens {@code b}, with its shared-prefix groups of at most {@code maxGroupRows} rows where it has
     * any ({@code maxGroupRows} 0: no groups).
     */
    static StepInputs of(ForwardBatch b, int vocab, int numBlocks, int blockSize, int maxPositions, int maxGroupRows) {
        int n = b.rows();
        int m = b.logitRows().length;
        int[][] tables = b.blockTables();
        int[] tableStart = new int[tables.length];
        int tablesLength = 0;
        for (int s = 0; s < tables.length; s++) {
            tableStart[s] = tablesLength;
            tablesLength = Math.addExact(tablesLength, tables[s].length);
        }
        int[] ints = new int[3 * n + m + tablesLength]; // without group sections; widened below if there are groups
        int maxPosition = 0;
        for (int r = 0; r < n; r++) {
            int token = b.tokens()[r];
            int pos = b.positions()[r];
            int seq = b.rowSequence()[r];
            check(token >= 0 && token < vocab, "row " + r + " has token " + token + ", outside the vocabulary [0, "
                    + vocab + ")");
            check(pos >= 0 && pos < maxPositions, "row " + r + " is at position " + pos
                    + "; the GPU attention kernel holds positions 0.." + (maxPositions - 1));
            check(seq >= 0 && seq < tables.length, "row " + r + " belongs to sequence " + seq + " but there are "
                    + tables.length + " block tables");
            check(pos / blockSize < tables[seq].length, "row " + r + " at position " + pos + " needs block "
                    + pos / blockSize + " of sequence " + seq + ", whose table has " + tables[seq].length + " blocks");
            ints[r] = token;
            ints[n + r] = pos;
            ints[2 * n + r] = tableStart[seq];
            maxPosition = Math.max(maxPosition, pos);
        }
        for (int i = 0; i < m; i++) {
            int row = b.logitRows()[i];
            check(row >= 0 && row < n, "logit row " + row + " is not one of the " + n + " rows");
            ints[3 * n + i] = row;
        }
        for (int s = 0; s < tables.length; s++) {
            for (int j = 0; j < tables[s].length; j++) {
                int block = tables[s][j];
                check(block >= 0 && block < numBlocks, "sequence " + s + " lists KV block " + block + " but the cache"
                        + " has blocks 0.." + (numBlocks - 1));
                ints[3 * n + m + tableStart[s] + j] = block;
            }
        }
        SharedPrefixes shared = maxGroupRows > 0 ? SharedPrefixes.of(b, blockSize, tableStart, maxGroupRows) : null;
        if (shared == null || shared.count() == 0) {
            return new StepInputs(n, m, maxPosition, ints, 0);
        }
        int sections = (2 + SharedPrefixes.GROUP_INTS) * n;
        int[] withGroups = new int[ints.length + sections];
        System.arraycopy(ints, 0, withGroups, 0, 3 * n + m);
        System.arraycopy(shared.prefixEnd(), 0, withGroups, 3 * n + m, n);
        System.arraycopy(shared.groups(), 0, withGroups, 4 * n + m, SharedPrefixes.GROUP_INTS * n);
        System.arraycopy(shared.members(), 0, withGroups, (4 + SharedPrefixes.GROUP_INTS) * n + m, n);
        System.arraycopy(ints, 3 * n + m, withGroups, 3 * n + m + sections, tablesLength);
        return new StepInputs(n, m, maxPosition, withGroups, shared.count());
    }

    private static void check(boolean ok, String reason) {
        if (!ok) {
            throw new IllegalArgumentException("Cannot run forward step on the GPU: " + reason);
        }
    }

    /** Index of the first position in {@link #ints()}. */
    int positionsOffset() {
        return rows;
    }

    int rowTablesOffset() {
        return 2 * rows;
    }

    int logitRowsOffset() {
        return 3 * rows;
    }

    /** Where the shared-prefix sections start (meaningful when {@link #groups()} is positive). */
    int prefixEndOffset() {
        return 3 * rows + logitRows;
    }

    int groupsOffset() {
        return 4 * rows + logitRows;
    }

    int membersOffset() {
        return (4 + SharedPrefixes.GROUP_INTS) * rows + logitRows;
    }

    int tablesOffset() {
        return 3 * rows + logitRows + (groups > 0 ? (2 + SharedPrefixes.GROUP_INTS) * rows : 0);
    }
}
