package dev.canopy.jobs.cli;

import java.util.List;
import java.util.Optional;

/** The registry of sub-commands. */
public final class Commands {

    private static final List<Command> ALL = List.of(
            new BatchCommand(),
            new GenerateCommand(),
            new InspectCommand(),
            new PlanCommand(),
            new SynthModelCommand(),
            new BenchCommand(),
            new QuantizeCommand(),
            new ConvertCommand(),
            new PerplexityCommand(),
            new StructuredCheckCommand(),
            new StructuredBenchCommand());

    private Commands() {}

    public static Optional<Command> find(String name) {
        return ALL.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    public static String usage() {
        StringBuilder sb = new StringBuilder("usage: canopy <command> [flags]   (canopy <command> --help for its flags)\n\ncommands:\n");
        for (Command c : ALL) {
            sb.append(String.format("  %-12s %s%n", c.name(), c.summary()));
        }
        return sb.toString().stripTrailing();
    }
}
