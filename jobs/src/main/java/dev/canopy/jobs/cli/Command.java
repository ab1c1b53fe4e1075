package dev.canopy.jobs.cli;

import java.io.PrintStream;

/** One {@code bin/canopy} sub-command. */
public interface Command {

    /** The word after {@code canopy}, e.g. {@code generate}. */
    String name();

    /** One line for the command list. */
    String summary();

    /** Full usage text, printed on a usage error. */
    String usage();

    /**
     * Runs the command.
     *
     * @return the process exit code
     * @throws UsageException when the arguments are wrong (the caller prints usage and exits 2)
     */
    int run(String[] args, PrintStream out, PrintStream err);
}
