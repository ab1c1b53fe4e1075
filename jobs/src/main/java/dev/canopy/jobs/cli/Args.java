package dev.canopy.jobs.cli;

import dev.canopy.jobs.units.ByteSize;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The flags of one command line, parsed by picocli against the command's {@link Flag} declarations: {@code --flag
 * value}, {@code --flag=value} and {@code --switch}. Anything undeclared is a {@link UsageException} naming it, with
 * picocli's suggestion of the flag that was probably meant. A flag not given reads as its declared default.
 */
public final class Args {

    private final String command;
    private final Map<String, List<String>> given;
    private final Map<String, String> defaults;
    private final boolean helpRequested;

    private Args(String command, Map<String, List<String>> given, Map<String, String> defaults, boolean help) {
        this.command = command;
        this.given = given;
        this.defaults = defaults;
        this.helpRequested = help;
    }

    /**
     * Parses {@code argv} against {@code command}'s flags.
     *
     * @throws UsageException naming an unknown flag, a flag without its value, or an unexpected argument
     */
    public static Args parse(Command command, String[] argv) {
        return parse(command.name(), CommandSpecs.spec(command), argv);
    }

    /**
     * Parses {@code argv} against ad-hoc flags without help text (for tests of one flag group).
     *
     * @param withValue flags that take a value (without the leading dashes)
     * @param switches  flags that take none
     */
    public static Args parse(String command, String[] argv, Set<String> withValue, Set<String> switches) {
        List<Flag> flags = new ArrayList<>();
        withValue.forEach(name -> flags.add(Flag.value(name, "VALUE", "").repeated()));
        switches.forEach(name -> flags.add(Flag.toggle(name, "")));
        Command adHoc = new Command() {
            @Override
            public String name() {
                return command;
            }

            @Override
            public String summary() {
                return "";
            }

            @Override
            public List<Flag> flags() {
                return flags;
            }

            @Override
            public int run(Args args, java.io.PrintStream out, java.io.PrintStream err) {
                throw new UnsupportedOperationException("an ad-hoc flag set only parses");
            }
        };
        return parse(adHoc, argv);
    }

    private static Args parse(String command, CommandSpec spec, String[] argv) {
        ParseResult result;
        try {
            result = new CommandLine(spec).parseArgs(argv);
        } catch (CommandLine.ParameterException e) {
            throw ParseErrors.usageException(command, e);
        }
        Map<String, List<String>> given = new LinkedHashMap<>();
        Map<String, String> defaults = new LinkedHashMap<>();
        for (OptionSpec option : spec.options()) {
            String name = option.longestName().substring(2);
            if (option.defaultValue() != null) {
                defaults.put(name, option.defaultValue());
            }
            if (result.hasMatchedOption(option)) {
                List<String> values = option.arity().max() == 0 ? List.of("true")
                        : List.copyOf(result.matchedOption(option.longestName()).stringValues());
                given.put(name, values);
            }
        }
        return new Args(command, given, defaults, result.isUsageHelpRequested());
    }

    /** Whether {@code --help} was given: the caller prints the command's help instead of running it. */
    public boolean helpRequested() {
        return helpRequested;
    }

    /** Whether the flag was given on the command line (a declared default does not count). */
    public boolean has(String name) {
        return given.containsKey(name);
    }

    /** The flag's last value given, else its declared default, else empty. */
    public Optional<String> get(String name) {
        List<String> v = given.get(name);
        return v == null ? Optional.ofNullable(defaults.get(name)) : Optional.of(v.getLast());
    }

    /** Every value given for a repeatable flag, in order. */
    public List<String> all(String name) {
        return given.getOrDefault(name, List.of());
    }

    public String required(String name) {
        return get(name).orElseThrow(() -> new UsageException("canopy " + command + ": missing required flag --" + name));
    }

    /** The flag's value, or its declared default, as an int. */
    public int intValue(String name) {
        return parseInt(name, required(name));
    }

    /** The flag's value, or its declared default, as a long. */
    public long longValue(String name) {
        required(name);
        return longValue(name, 0);
    }

    /** The flag's value, or its declared default, as a finite double. */
    public double doubleValue(String name) {
        required(name);
        return doubleValue(name, 0);
    }

    public int intValue(String name, int defaultValue) {
        return get(name).map(v -> parseInt(name, v)).orElse(defaultValue);
    }

    public long longValue(String name, long defaultValue) {
        return get(name).map(v -> {
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new UsageException("canopy " + command + ": --" + name + " expects an integer, got '" + v + "'");
            }
        }).orElse(defaultValue);
    }

    public double doubleValue(String name, double defaultValue) {
        return get(name).map(v -> {
            try {
                double d = Double.parseDouble(v);
                if (!Double.isFinite(d)) {
                    throw new NumberFormatException();
                }
                return d;
            } catch (NumberFormatException e) {
                throw new UsageException("canopy " + command + ": --" + name + " expects a number, got '" + v + "'");
            }
        }).orElse(defaultValue);
    }

    /** A byte size such as {@code 512m}, {@code 2g}, {@code 1048576}. */
    public long bytesValue(String name, long defaultValue) {
        return get(name).map(v -> ByteSize.parse(v).orElseThrow(() -> new UsageException("canopy " + command
                + ": --" + name + " expects a size such as 512m or 2g, got '" + v + "'"))).orElse(defaultValue);
    }

    private int parseInt(String name, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("canopy " + command + ": --" + name + " expects an integer, got '" + v + "'");
        }
    }

    @Override
    public String toString() {
        return "canopy " + command + " " + given.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
    }
}
