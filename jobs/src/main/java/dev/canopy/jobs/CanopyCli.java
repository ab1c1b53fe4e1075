package dev.canopy.jobs;

import dev.canopy.jobs.cli.Command;
import dev.canopy.jobs.cli.Commands;
import dev.canopy.jobs.cli.UsageException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Optional;

/** {@code bin/canopy}: the command-line entry point. Exit codes: 0 ok, 1 failure, 2 bad usage. */
public final class CanopyCli {

    private CanopyCli() {}

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    /** Runs one command line and returns its exit code (never exits the JVM). */
    public static int run(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h") || argv[0].equals("help")) {
            err.println(Commands.usage());
            return argv.length == 0 ? 2 : 0;
        }
        Optional<Command> command = Commands.find(argv[0]);
        if (command.isEmpty()) {
            err.println("canopy: unknown command '" + argv[0] + "'");
            err.println(Commands.usage());
            return 2;
        }
        String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
        if (rest.length == 1 && (rest[0].equals("--help") || rest[0].equals("-h"))) {
            err.println(command.get().usage());
            return 0;
        }
        try {
            return command.get().run(rest, out, err);
        } catch (UsageException e) {
            err.println(e.getMessage());
            err.println(command.get().usage());
            return 2;
        } catch (RuntimeException e) {
            err.println("canopy " + argv[0] + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (System.getenv("CANOPY_DEBUG") != null) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }
}
