package dev.canopy.jobs.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Builds picocli's model of a {@link Command} from its {@link Flag} declarations: the parser, the help text and the
 * shell completion all read this one model. Flag values stay strings here; {@link Args} converts them, with errors
 * that name the flag.
 */
public final class CommandSpecs {

    /** Help text width: wide enough for the longest flag labels to keep descriptions on one column. */
    static final int WIDTH = 110;

    private CommandSpecs() {
    }

    /** The model of {@code command}, named {@code canopy <command>} (as its help shows it). */
    public static CommandSpec spec(Command command) {
        return spec(command, "canopy " + command.name());
    }

    /** The model of {@code command} under {@code name}. */
    static CommandSpec spec(Command command, String name) {
        CommandSpec spec = CommandSpec.create().name(name);
        for (Flag flag : command.flags()) {
            spec.addOption(option(flag));
        }
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("show this help").build());
        spec.usageMessage()
                .synopsisHeading("usage: ")
                .description(escape(command.summary()))
                .optionListHeading("%nflags:%n")
                .footer(command.notes().isEmpty() ? new String[0]
                        : ("%n" + escape(command.notes())).split("\n"))
                .showDefaultValues(true)
                .sortOptions(false)
                .sortSynopsis(false)
                .width(WIDTH);
        spec.interpolateVariables(false);
        spec.parser().expandAtFiles(false).overwrittenOptionsAllowed(true);
        return spec;
    }

    /** The full help text of {@code command}, as {@code canopy <command> --help} prints it. */
    public static String usage(Command command) {
        return new CommandLine(spec(command)).getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing();
    }

    private static OptionSpec option(Flag flag) {
        OptionSpec.Builder b = OptionSpec.builder("--" + flag.name()).description(flag.description()); // picocli prints option descriptions as they are
        if (flag.isToggle()) {
            return b.type(boolean.class).arity("0").build();
        }
        b.paramLabel(flag.label()).arity("1");
        if (flag.repeatable()) {
            b.type(List.class).auxiliaryTypes(String.class);
        } else {
            b.type(String.class);
        }
        flag.defaultValue().ifPresent(b::defaultValue);
        if (!flag.choices().isEmpty()) {
            b.completionCandidates(flag.choices());
        }
        return b.build();
    }

    /** Text for picocli's help, which formats it: a literal {@code %} is written {@code %%}. */
    private static String escape(String text) {
        return text.replace("%", "%%");
    }
}
