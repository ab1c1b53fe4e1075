package dev.canopy.jobs.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Runs one {@code canopy} command line: finds the sub-command, parses its flags, runs it, and turns failures into
 * exit codes (0 ok, 1 failure, 2 bad usage). Besides the commands it is given it knows {@code help [COMMAND]} and
 * {@code completion} (a bash completion script, from picocli, over every command's declared flags).
 */
public final class CliRunner {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_USAGE = 2;

    private static final String COMPLETION = "completion";

    private final List<Command> commands;

    public CliRunner(List<Command> commands) {
        this.commands = List.copyOf(commands);
    }

    /** Runs {@code argv} and returns its exit code (never exits the JVM). */
    public int run(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 0) {
            err.println(usage());
            return BAD_USAGE;
        }
        String name = argv[0];
        if (name.equals("--help") || name.equals("-h") || name.equals("help")) {
            return help(argv, err);
        }
        if (name.equals(COMPLETION)) {
            out.print(completionScript());
            return OK;
        }
        Optional<Command> command = find(name);
        if (command.isEmpty()) {
            err.println("canopy: unknown command '" + name + "'");
            commandSuggestion(name).ifPresent(err::println);
            err.println(usage());
            return BAD_USAGE;
        }
        String[] rest = java.util.Arrays.copyOfRange(argv, 1, argv.length);
        try {
            Args args = Args.parse(command.get(), rest);
            if (args.helpRequested()) {
                err.println(command.get().usage());
                return OK;
            }
            return command.get().run(args, out, err);
        } catch (UsageException e) {
            err.println(e.getMessage());
            e.hint().ifPresent(err::println);
            err.println(command.get().usage());
            return BAD_USAGE;
        } catch (RuntimeException e) {
            err.println("canopy " + name + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (System.getenv("CANOPY_DEBUG") != null) {
                e.printStackTrace(err);
            }
            return FAILED;
        }
    }

    private int help(String[] argv, PrintStream err) {
        if (argv.length > 1 && argv[0].equals("help")) {
            Optional<Command> command = find(argv[1]);
            if (command.isEmpty()) {
                err.println("canopy: unknown command '" + argv[1] + "'");
                err.println(usage());
                return BAD_USAGE;
            }
            err.println(command.get().usage());
            return OK;
        }
        err.println(usage());
        return OK;
    }

    private Optional<Command> find(String name) {
        return commands.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** The command list. */
    public String usage() {
        StringBuilder sb = new StringBuilder(
                "usage: canopy <command> [flags]   (canopy <command> --help for its flags)\n\ncommands:\n");
        for (Command c : commands) {
            sb.append(String.format("  %-17s %s%n", c.name(), c.summary()));
        }
        sb.append(String.format("  %-17s %s%n", COMPLETION,
                "print a bash completion script: source <(bin/canopy completion)"));
        return sb.toString().stripTrailing();
    }

    /** A bash script completing commands, flags and the values of flags with a fixed set of them. */
    public String completionScript() {
        return AutoComplete.bash("canopy", root());
    }

    /** picocli's guess at the command meant by {@code name}, as a "Did you mean" line. */
    private Optional<String> commandSuggestion(String name) {
        try {
            root().parseArgs(name);
            return Optional.empty();
        } catch (CommandLine.UnmatchedArgumentException e) {
            return ParseErrors.didYouMean(e.getSuggestions());
        } catch (CommandLine.ParameterException e) {
            return Optional.empty();
        }
    }

    /** Every command as a picocli sub-command of {@code canopy}. */
    private CommandLine root() {
        CommandLine line = new CommandLine(CommandSpec.create().name("canopy"));
        for (Command c : commands) {
            line.addSubcommand(c.name(), CommandSpecs.spec(c, c.name()));
        }
        line.addSubcommand(COMPLETION, CommandSpec.create().name(COMPLETION));
        return line;
    }

    /** The commands this runner knows, for the flag reference. */
    public List<Command> commands() {
        return commands;
    }
}
