package dev.canopy.executor.kv;

/** A {@link TokenRun} with the second block table of a sliding-window model's local layers. */
final class WindowedTokenRun implements WindowedKvSequence {

    private final TokenRun run;
    private final BlockTable localTable = new BlockTable();

    WindowedTokenRun(TokenRun run) {
        this.run = run;
    }

    void append(int token) {
        run.append(token);
    }

    WindowedTokenRun computed(int n) {
        run.computed(n);
        return this;
    }

    WindowedTokenRun allComputed() {
        run.allComputed();
        return this;
    }

    @Override
    public int numTokens() {
        return run.numTokens();
    }

    @Override
    public int tokenAt(int position) {
        return run.tokenAt(position);
    }

    @Override
    public int numComputedTokens() {
        return run.numComputedTokens();
    }

    @Override
    public BlockTable blockTable() {
        return run.blockTable();
    }

    @Override
    public BlockTable localBlockTable() {
        return localTable;
    }
}
