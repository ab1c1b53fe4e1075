package dev.canopy.jobs.cli;

/** A command line that cannot be run as written: the CLI prints the message and usage, and exits 2. */
public class UsageException extends RuntimeException {

    public UsageException(String message) {
        super(message);
    }
}
