package dev.canopy.jobs.batch;

/** The batch job's configuration (file or flags) is wrong; the job exits 2 before doing anything. */
public class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
