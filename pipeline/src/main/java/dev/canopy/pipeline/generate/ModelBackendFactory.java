package dev.canopy.pipeline.generate;

import java.io.Serializable;

/**
 * Opens the {@link ModelBackend} on an executor. It is serialized to every task, so it holds only settings;
 * implementations cache what they open per JVM, so a model loads once per executor.
 */
public interface ModelBackendFactory extends Serializable {

    /** The backend for this JVM, opening it on first use. */
    ModelBackend open();

    /**
     * Checks the model on the driver without loading its weights.
     *
     * @throws InvalidModelException naming the file and the problem
     */
    ModelDescription describe();

    /**
     * Model bytes copied to local caches so far by this factory's tasks (a model on a Hadoop file system), read on
     * the driver; 0 when nothing is copied.
     */
    default long modelBytesCopied() {
        return 0;
    }
}
