package dev.canopy.jobs.cli;

import java.util.Optional;

/** A command line that cannot be run as written: the CLI prints the message and usage, and exits 2. */
public class UsageException extends RuntimeException {

    private final transient Optional<String> hint;

    public UsageException(String message) {
        this(message, Optional.empty());
    }

    /** @param hint a line to print after the message, e.g. {@code Did you mean: --temperature?} */
    public UsageException(String message, Optional<String> hint) {
        super(message);
        this.hint = hint;
    }

    /** What the user may have meant, when the parser could tell. */
    public Optional<String> hint() {
        return hint;
    }
}
