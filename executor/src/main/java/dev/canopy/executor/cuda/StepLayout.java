package dev.canopy.executor.cuda;

/**
 * Where one step's integer inputs ({@link StepInputs}) sit in GPU memory, as device addresses for
 * kernel arguments.
 *
 * @param rows        token rows
 * @param maxPosition largest position of any row
 * @param base        device address of the flattened array
 * @param inputs      the host copy, for the offsets
 */
record StepLayout(int rows, int maxPosition, long base, StepInputs inputs) {

    static StepLayout at(long base, StepInputs inputs) {
        return new StepLayout(inputs.rows(), inputs.maxPosition(), base, inputs);
    }

    /** Token ids: (rows) ints. */
    long tokens() {
        return base;
    }

    /** Positions: (rows) ints. */
    long positions() {
        return base + 4L * inputs.positionsOffset();
    }

    /** Start of each row's block table in {@link #tables()}: (rows) ints. */
    long rowTables() {
        return base + 4L * inputs.rowTablesOffset();
    }

    /** Rows whose logits are wanted: (logitRows) ints. */
    long logitRows() {
        return base + 4L * inputs.logitRowsOffset();
    }

    /** Per row, the end of its shared prefix (0: none): (rows) ints; with {@code inputs.groups() > 0} only. */
    long prefixEnd() {
        return base + 4L * inputs.prefixEndOffset();
    }

    /** The shared-prefix groups: (4 rows) ints, see {@link SharedPrefixes}. */
    long groups() {
        return base + 4L * inputs.groupsOffset();
    }

    /** The groups' rows: (rows) ints. */
    long members() {
        return base + 4L * inputs.membersOffset();
    }

    /** Every sequence's block table, back to back. */
    long tables() {
        return base + 4L * inputs.tablesOffset();
    }
}
