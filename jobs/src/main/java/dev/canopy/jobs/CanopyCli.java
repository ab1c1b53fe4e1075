package dev.canopy.jobs;

import dev.canopy.jobs.cli.CliRunner;
import dev.canopy.jobs.cli.Command;
import dev.canopy.jobs.cli.Commands;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** {@code bin/canopy}: the command-line entry point. Exit codes: 0 ok, 1 failure, 2 bad usage. */
public final class CanopyCli {

    private CanopyCli() {}

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    /** Runs one command line and returns its exit code (never exits the JVM). */
    public static int run(String[] argv, PrintStream out, PrintStream err) {
        return runner().run(argv, out, err);
    }

    /** Every {@code canopy} command: the Spark batch job first, then the engine and model commands. */
    public static CliRunner runner() {
        List<Command> all = new ArrayList<>();
        all.add(new BatchCommand());
        all.addAll(Commands.ENGINE_COMMANDS);
        return new CliRunner(all);
    }
}
