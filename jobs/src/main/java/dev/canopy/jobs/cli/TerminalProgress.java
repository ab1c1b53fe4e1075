package dev.canopy.jobs.cli;

import dev.canopy.pipeline.progress.ProgressReporter;
import java.io.PrintStream;

/**
 * {@code canopy generate}'s progress on stderr, in {@link ProgressReporter}'s words (the batch job's driver logs the
 * same line): on a terminal, a bar redrawn in place; otherwise (piped, CI) a plain line every few seconds.
 */
final class TerminalProgress {

    private static final int BAR_WIDTH = 30;

    private final PrintStream err;
    private final ProgressReporter reporter;
    private final int total;
    private final boolean terminal;
    private final long intervalNanos;
    private long lastPrint;
    private int done;
    private long tokens;
    private long promptTokens;
    private long cachedPromptTokens;
    private boolean printedBar;

    /**
     * @param maxOutputTokens most tokens the requests may generate, for an ETA before the first one finishes
     */
    TerminalProgress(PrintStream err, int total, long maxOutputTokens, boolean terminal) {
        this.err = err;
        this.reporter = new ProgressReporter(0, total, maxOutputTokens);
        this.total = total;
        this.terminal = terminal;
        this.intervalNanos = terminal ? 200_000_000L : 5_000_000_000L;
        this.lastPrint = System.nanoTime();
    }

    /** Whether stderr is an interactive terminal (best effort: the console must be a terminal). */
    static boolean stderrIsTerminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal() && System.getenv("CI") == null;
    }

    /** Counts one more finished request: its generated tokens, and its prompt tokens, those cached included. */
    void update(long newTokens, long newPromptTokens, long newCachedPromptTokens) {
        done++;
        tokens += newTokens;
        promptTokens += newPromptTokens;
        cachedPromptTokens += newCachedPromptTokens;
        long now = System.nanoTime();
        if (now - lastPrint >= intervalNanos || done == total) {
            lastPrint = now;
            print();
        }
    }

    /** Ends the bar's line, so that what follows starts on a line of its own. */
    void finish() {
        if (terminal && printedBar) {
            err.println();
        }
    }

    private void print() {
        String line = reporter.line(done, tokens, promptTokens == 0 ? 0 : (double) cachedPromptTokens / promptTokens);
        if (terminal) {
            int filled = (int) Math.round(BAR_WIDTH * reporter.fraction(done));
            err.print("\r[" + "#".repeat(filled) + " ".repeat(BAR_WIDTH - filled) + "] " + line + "   ");
            err.flush();
            printedBar = true;
        } else {
            err.println(line);
        }
    }
}
