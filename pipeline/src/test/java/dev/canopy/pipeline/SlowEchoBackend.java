package dev.canopy.pipeline;

import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import dev.canopy.pipeline.generate.ChatRenderer;
import dev.canopy.pipeline.generate.ModelBackend;
import dev.canopy.pipeline.generate.ModelBackendFactory;
import dev.canopy.pipeline.generate.ModelDescription;
import dev.canopy.pipeline.generate.PartitionGenerator;
import dev.canopy.pipeline.generate.ProcessBackendCache;
import dev.canopy.pipeline.generate.PromptRow;
import dev.canopy.pipeline.generate.PromptTokenizer;
import dev.canopy.pipeline.generate.RowResult;

/**
 * {@link ByteEchoBackend} that takes {@code millisPerRow} for each row and hands results over one at a time, as
 * a long partition of a real model does: for tests of progress while a partition runs.
 */
public record SlowEchoBackend(ByteEchoBackend echo, long millisPerRow) implements ModelBackendFactory {

    public SlowEchoBackend {
        Objects.requireNonNull(echo, "echo");
    }

    @Override
    public ModelBackend open() {
        return ProcessBackendCache.get(this, () -> new Slow(echo.open(), millisPerRow));
    }

    @Override
    public ModelDescription describe() {
        return echo.describe();
    }

    private record Slow(ModelBackend echo, long millisPerRow) implements ModelBackend {

        @Override
        public String modelName() {
            return echo.modelName();
        }

        @Override
        public int contextLength() {
            return echo.contextLength();
        }

        @Override
        public ChatRenderer chatRenderer() {
            return echo.chatRenderer();
        }

        @Override
        public PromptTokenizer tokenizer() {
            return echo.tokenizer();
        }

        @Override
        public PartitionGenerator generator() {
            return this::generate;
        }

        private void generate(List<PromptRow> rows, Consumer<RowResult> sink) {
            for (PromptRow row : rows) {
                try {
                    Thread.sleep(millisPerRow);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Cannot generate: interrupted", e);
                }
                echo.generator().generate(List.of(row), sink);
            }
        }
    }
}
