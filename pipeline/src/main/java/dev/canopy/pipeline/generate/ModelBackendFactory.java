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
     * What preparing and tokenizing prompts needs (tokenizer, chat template, context), for planning: a backend
     * whose {@link ModelBackend#generator()} may refuse to run. By default the full backend; a factory whose
     * backend is costly to open (an engine with its KV pool) opens only the prompt side here.
     */
    default ModelBackend openForPlanning() {
        return open();
    }

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
