package dev.canopy.jobs.cli;

import java.util.List;

/** The sub-commands of this package; {@code canopy batch} is added by {@code CanopyCli}, which owns the Spark job. */
public final class Commands {

    /** The engine and model commands, in the order the command list shows them. */
    public static final List<Command> ENGINE_COMMANDS = List.of(
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
}
