package dev.canopy.jobs.cli;

import java.io.PrintStream;
import java.util.List;

/** One {@code bin/canopy} sub-command: its flags, declared once, and what it does with them. */
public interface Command {

    /** The word after {@code canopy}, e.g. {@code generate}. */
    String name();

    /** One line for the command list. */
    String summary();

    /** Every flag the command takes; {@link CommandSpecs} builds its parser, help, docs and completion from them. */
    List<Flag> flags();

    /** Help text after the flag list (input formats, exit codes); empty when there is none. */
    default String notes() {
        return "";
    }

    /** Full help text, printed on a usage error or {@code --help}. */
    default String usage() {
        return CommandSpecs.usage(this);
    }

    /**
     * Runs the command on its parsed flags.
     *
     * @return the process exit code
     * @throws UsageException when the arguments are wrong (the caller prints usage and exits 2)
     */
    int run(Args args, PrintStream out, PrintStream err);
}
