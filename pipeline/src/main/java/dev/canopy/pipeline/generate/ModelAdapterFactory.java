package dev.canopy.pipeline.generate;

import java.io.Serializable;

/**
 * Opens the {@link ModelAdapter} on an executor. It is serialized to every task, so it holds only settings;
 * implementations cache what they open per JVM, so a model loads once per executor.
 */
public interface ModelAdapterFactory extends Serializable {

    /** The adapter for this JVM, opening it on first use. */
    ModelAdapter open();

    /**
     * What preparing and tokenizing prompts needs (tokenizer, chat template, context), for planning: an adapter
     * whose {@link ModelAdapter#generator()} may refuse to run. By default the full adapter; a factory whose
     * adapter is costly to open (an engine with its KV pool) opens only the prompt side here.
     */
    default ModelAdapter openForPlanning() {
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
