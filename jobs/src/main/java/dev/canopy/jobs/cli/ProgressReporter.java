package dev.canopy.jobs.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a generate run on stderr: on a terminal, a bar redrawn in place (requests done/total,
 * tokens/s, ETA); otherwise (piped, CI) a plain line every few seconds.
 */
final class ProgressReporter {

    private final PrintStream err;
    private final int total;
    private final boolean terminal;
    private final long intervalNanos;
    private final long start = System.nanoTime();
    private long lastPrint;
    private int done;
    private long tokens;
    private boolean printedBar;

    ProgressReporter(PrintStream err, int total, boolean terminal) {
        this.err = err;
        this.total = total;
        this.terminal = terminal;
        this.intervalNanos = terminal ? 200_000_000L : 5_000_000_000L;
    }

    /** Whether stderr is an interactive terminal (best effort: the console must be a terminal). */
    static boolean stderrIsTerminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal() && System.getenv("CI") == null;
    }

    void update(int newlyDone, long newTokens) {
        done += newlyDone;
        tokens += newTokens;
        long now = System.nanoTime();
        if (now - lastPrint >= intervalNanos || done == total) {
            lastPrint = now;
            print(now);
        }
    }

    void finish() {
        if (terminal && printedBar) {
            err.println();
        }
    }

    private void print(long now) {
        double secs = Math.max(1e-9, (now - start) / 1e9);
        double tps = tokens / secs;
        double rate = done / secs;
        String eta = done == 0 ? "?" : formatSeconds((total - done) / Math.max(rate, 1e-9));
        String stats = String.format(Locale.ROOT, "%d/%d requests, %.1f tokens/s, elapsed %s, ETA %s", done, total, tps,
                formatSeconds(secs), eta);
        if (terminal) {
            int width = 30;
            int filled = total == 0 ? width : (int) ((long) width * done / total);
            err.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + stats + "   ");
            err.flush();
            printedBar = true;
        } else {
            err.println("progress: " + stats);
        }
    }

    private static String formatSeconds(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", t / 3600, t % 3600 / 60)
                : String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60);
    }
}
