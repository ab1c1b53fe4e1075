package dev.canopy.pipeline.batch;

/** The output directory holds results the job must not mix with its own; rerun with overwrite to replace them. */
public class OutputConflictException extends RuntimeException {

    public OutputConflictException(String message) {
        super(message);
    }
}
