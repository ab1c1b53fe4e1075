package dev.canopy.pipeline;

import java.util.List;
import java.util.Objects;

import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

import dev.canopy.executor.chat.ChatMessage;
import dev.canopy.executor.chat.ChatRequest;
import dev.canopy.pipeline.generate.ChatRenderer;
import dev.canopy.pipeline.generate.ModelAdapter;
import dev.canopy.pipeline.generate.ModelAdapterFactory;
import dev.canopy.pipeline.generate.ModelDescription;
import dev.canopy.pipeline.generate.PartitionGenerator;
import dev.canopy.pipeline.generate.PromptTokenizer;

/**
 * {@link ByteEchoAdapter} that counts, in Spark accumulators, how often a chat request is rendered and a prompt is
 * tokenized on the executors: what "prepared once per job" means, measured. Each task's backend wraps that task's
 * copy of the accumulators (a copy cached past its task would lose its counts).
 */
public record CountingAdapter(ByteEchoAdapter echo, LongAccumulator renders, LongAccumulator encodes)
        implements ModelAdapterFactory {

    public CountingAdapter {
        Objects.requireNonNull(echo, "echo");
    }

    /** Counts for {@code echo}, with accumulators registered on {@code context}. */
    public static CountingAdapter of(ByteEchoAdapter echo, SparkContext context) {
        return new CountingAdapter(echo, context.longAccumulator("renders"), context.longAccumulator("encodes"));
    }

    @Override
    public ModelAdapter open() {
        ModelAdapter inner = echo.open();
        return new ModelAdapter() {
            @Override
            public String modelName() {
                return inner.modelName();
            }

            @Override
            public int contextLength() {
                return inner.contextLength();
            }

            @Override
            public ChatRenderer chatRenderer() {
                return new ChatRenderer() {
                    @Override
                    public String render(List<ChatMessage> messages) {
                        renders.add(1);
                        return inner.chatRenderer().render(messages);
                    }

                    @Override
                    public String render(ChatRequest request) {
                        renders.add(1);
                        return inner.chatRenderer().render(request);
                    }
                };
            }

            @Override
            public PromptTokenizer tokenizer() {
                return prompt -> {
                    encodes.add(1);
                    return inner.tokenizer().encode(prompt);
                };
            }

            @Override
            public PartitionGenerator generator() {
                return inner.generator();
            }
        };
    }

    @Override
    public ModelDescription describe() {
        return echo.describe();
    }
}
