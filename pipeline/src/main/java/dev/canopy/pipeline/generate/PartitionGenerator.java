package dev.canopy.pipeline.generate;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Generates text for the rows of one Spark partition, on an executor.
 * Implementations may be shared by concurrent tasks of one executor JVM.
 */
public interface PartitionGenerator {

    /**
     * Generates every row and hands each result to {@code sink} as it completes (in any order), exactly once
     * per row; a row the engine cannot serve gets a {@link RowResult.Failed} rather than an exception.
     *
     * @param rows the partition's rows, in no particular order: the generator chooses the order it runs them in
     *             (the engine's batch planner groups shared prefixes), so the pipeline orders nothing itself
     */
    void generate(List<PromptRow> rows, Consumer<RowResult> sink);

    /**
     * Like {@link #generate(List, Consumer)}, also telling {@code generatedTokens} how many tokens each engine
     * step generated, as it goes (on the calling thread), so that progress shows before rows finish. By default
     * nothing is told.
     */
    default void generate(List<PromptRow> rows, Consumer<RowResult> sink, IntConsumer generatedTokens) {
        generate(rows, sink);
    }
}
