package dev.canopy.jobs.cli;

import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code docs/cli.md}: every command's flags as Markdown tables, written from the same {@link Flag} declarations as
 * the parser and the help, so the reference cannot drift from the flags ({@code CliReferenceTest} rewrites the file
 * and fails when it was stale).
 */
public final class CliReference {

    private CliReference() {
    }

    /** The reference for {@code commands}, in their order. */
    public static String markdown(List<Command> commands) {
        StringBuilder md = new StringBuilder("""
                # `bin/canopy` flag reference

                Generated from the flag declarations (each command's `flags()` in `jobs/src/main/java/dev/canopy/jobs`)
                by `CliReferenceTest`, which rewrites this file and fails when it was out of date: edit the
                declarations, not this file. `bin/canopy <command> --help` prints the same; `bin/canopy completion`
                prints a bash completion script (`source <(bin/canopy completion)`). Exit codes: 0 ok, 1 failure,
                2 bad usage (a misspelled flag is named, with the flag it was probably meant to be).
                """);
        for (Command c : commands) {
            md.append("\n## canopy ").append(c.name()).append("\n\n").append(c.summary()).append(".\n\n");
            md.append("| flag | value | default | what it does |\n|---|---|---|---|\n");
            for (Flag f : c.flags()) {
                md.append("| `--").append(f.name()).append('`').append(f.repeatable() ? " (repeatable)" : "")
                        .append(" | ").append(f.isToggle() ? "" : code(f.label()))
                        .append(" | ").append(f.defaultValue().map(CliReference::code).orElse(""))
                        .append(" | ").append(cell(f.description())).append(" |\n");
            }
            if (!c.notes().isEmpty()) {
                md.append("\n```text\n").append(c.notes().stripTrailing()).append("\n```\n");
            }
        }
        return md.toString();
    }

    private static String code(String text) {
        return "`" + cell(text) + "`";
    }

    /** A table cell: a literal {@code |} would end it. */
    private static String cell(String text) {
        return text.lines().map(String::strip).collect(Collectors.joining(" ")).replace("|", "\\|");
    }
}
