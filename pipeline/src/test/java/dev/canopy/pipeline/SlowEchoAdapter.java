package dev.canopy.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

import dev.canopy.pipeline.generate.ChatRenderer;
import dev.canopy.pipeline.generate.ModelAdapter;
import dev.canopy.pipeline.generate.ModelAdapterFactory;
import dev.canopy.pipeline.generate.ModelDescription;
import dev.canopy.pipeline.generate.PartitionGenerator;
import dev.canopy.pipeline.generate.ProcessAdapterCache;
import dev.canopy.pipeline.generate.PromptRow;
import dev.canopy.pipeline.generate.PromptTokenizer;
import dev.canopy.pipeline.generate.RowResult;

/**
 * {@link ByteEchoAdapter} that takes its time, as a long partition of a real model does: for tests of progress
 * while a partition runs. One at a time: each row takes {@code millis} and its result comes at once. Lockstep:
 * every row generates one token per step of {@code millis} (steps report their tokens), and the results come
 * when the last row is done, as equal-length rows batched together do in the engine.
 */
public record SlowEchoAdapter(ByteEchoAdapter echo, long millis, boolean lockstep) implements ModelAdapterFactory {

    public SlowEchoAdapter {
        Objects.requireNonNull(echo, "echo");
    }

    @Override
    public ModelAdapter open() {
        return ProcessAdapterCache.get(this, () -> new Slow(echo.open(), millis, lockstep));
    }

    @Override
    public ModelDescription describe() {
        return echo.describe();
    }

    private record Slow(ModelAdapter echo, long millis, boolean lockstep) implements ModelAdapter {

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
            return new PartitionGenerator() {
                @Override
                public void generate(List<PromptRow> rows, Consumer<RowResult> sink) {
                    generate(rows, sink, tokens -> { });
                }

                @Override
                public void generate(List<PromptRow> rows, Consumer<RowResult> sink, IntConsumer generatedTokens) {
                    if (lockstep) {
                        inLockstep(rows, sink, generatedTokens);
                    } else {
                        oneAtATime(rows, sink);
                    }
                }
            };
        }

        private void oneAtATime(List<PromptRow> rows, Consumer<RowResult> sink) {
            for (PromptRow row : rows) {
                pause();
                echo.generator().generate(List.of(row), sink);
            }
        }

        private void inLockstep(List<PromptRow> rows, Consumer<RowResult> sink, IntConsumer generatedTokens) {
            List<RowResult> results = new ArrayList<>();
            echo.generator().generate(rows, results::add);
            int steps = results.stream().mapToInt(RowResult::completionTokens).max().orElse(0);
            for (int step = 0; step < steps; step++) {
                pause();
                int stepNumber = step;
                generatedTokens.accept((int) results.stream().filter(r -> r.completionTokens() > stepNumber).count());
            }
            results.forEach(sink);
        }

        private void pause() {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Cannot generate: interrupted", e);
            }
        }
    }
}
