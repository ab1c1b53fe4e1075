package dev.canopy.jobs.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One command-line flag, declared once: its help line, its default, the reference in {@code docs/cli.md} and the
 * shell completion all come from this declaration ({@link CommandSpecs} turns it into picocli's option).
 *
 * @param name         without the leading dashes, e.g. {@code max-tokens}
 * @param label        what the value looks like ({@code N}, {@code FILE}, {@code on|off}); empty for a switch
 * @param defaultValue the value a command reads when the flag is not given; empty when there is none, or when it
 *                     depends on other flags (the description says how)
 * @param repeatable   whether the flag may be given several times, each value kept ({@code --stop})
 * @param description  what the flag does, one or two sentences
 */
public record Flag(String name, String label, Optional<String> defaultValue, boolean repeatable, String description) {

    public Flag {
        if (name.startsWith("-") || name.isBlank()) {
            throw new IllegalArgumentException("Cannot declare flag '" + name + "': give the name without dashes");
        }
    }

    /** A flag that takes a value shaped like {@code label}. */
    public static Flag value(String name, String label, String description) {
        return new Flag(name, label, Optional.empty(), false, description);
    }

    /** A flag that takes no value: given means on. */
    public static Flag toggle(String name, String description) {
        return new Flag(name, "", Optional.empty(), false, description);
    }

    /** This flag with {@code value} used when it is not given. */
    public Flag withDefault(String value) {
        return new Flag(name, label, Optional.of(value), repeatable, description);
    }

    /** This flag, accepted several times with every value kept. */
    public Flag repeated() {
        return new Flag(name, label, defaultValue, true, description);
    }

    public boolean isToggle() {
        return label.isEmpty();
    }

    /** The values a label such as {@code auto|cpu|cuda} allows, for shell completion; empty for free values. */
    public List<String> choices() {
        return label.contains("|") ? Arrays.asList(label.split("\\|")) : List.of();
    }
}
