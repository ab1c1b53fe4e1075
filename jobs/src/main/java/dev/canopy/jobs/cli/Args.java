package dev.canopy.jobs.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parsed {@code --flag value} / {@code --switch} arguments of one command. Only declared flags are
 * accepted; anything else is a {@link UsageException} naming it.
 */
public final class Args {

    private final String command;
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    private Args(String command) {
        this.command = command;
    }

    /**
     * Parses {@code argv}.
     *
     * @param withValue flags that take a value (without the leading dashes)
     * @param switches  flags that take none
     */
    public static Args parse(String command, String[] argv, Set<String> withValue, Set<String> switches) {
        Args a = new Args(command);
        for (int i = 0; i < argv.length; i++) {
            String arg = argv[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new UsageException("canopy " + command + ": unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            String inline = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (switches.contains(name) && inline == null) {
                a.values.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
            } else if (withValue.contains(name)) {
                String v = inline;
                if (v == null) {
                    if (i + 1 >= argv.length) {
                        throw new UsageException("canopy " + command + ": flag --" + name + " needs a value");
                    }
                    v = argv[++i];
                }
                a.values.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
            } else {
                throw new UsageException("canopy " + command + ": unknown flag --" + name);
            }
        }
        return a;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public Optional<String> get(String name) {
        List<String> v = values.get(name);
        return v == null ? Optional.empty() : Optional.of(v.get(v.size() - 1));
    }

    /** Every value given for a repeatable flag, in order. */
    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    public String required(String name) {
        return get(name).orElseThrow(() -> new UsageException("canopy " + command + ": missing required flag --" + name));
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
}
