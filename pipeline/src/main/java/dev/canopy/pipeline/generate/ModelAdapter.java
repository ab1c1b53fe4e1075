package dev.canopy.pipeline.generate;

import java.util.OptionalInt;

/**
 * A model opened in an executor JVM: its tokenizer, its generator and the facts the pipeline needs.
 * One adapter serves every task of its JVM. (An adapter, not a backend: the compute backend, CPU or CUDA, is the
 * executor's {@code dev.canopy.executor.backend} choice inside the engine an adapter may open.)
 */
public interface ModelAdapter {

    /** The name written to the output's {@code model} column. */
    String modelName();

    /** Most tokens (prompt plus generated) one sequence can hold. */
    int contextLength();

    /**
     * Most prompt characters one token can stand for (the longest vocabulary entry, for example), if known: a prompt
     * longer than {@link #contextLength()} times this cannot fit, so it is rejected without tokenizing it.
     */
    default OptionalInt maxCharsPerToken() {
        return OptionalInt.empty();
    }

    /** Renders chat messages to a prompt with the model's chat template. */
    ChatRenderer chatRenderer();

    PromptTokenizer tokenizer();

    PartitionGenerator generator();
}
