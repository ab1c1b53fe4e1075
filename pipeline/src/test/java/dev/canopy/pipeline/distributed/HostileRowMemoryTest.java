package dev.canopy.pipeline.distributed;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.function.Supplier;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import scala.jdk.javaapi.CollectionConverters;

import com.sun.management.ThreadMXBean;

import dev.canopy.executor.TestModels;
import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.engine.EngineAdapterFactory;
import dev.canopy.pipeline.engine.EngineSettings;
import dev.canopy.pipeline.generate.ErrorKind;
import dev.canopy.pipeline.generate.ModelAdapter;
import dev.canopy.pipeline.input.InputColumns;
import dev.canopy.pipeline.input.InputSchema;

/**
 * Issue 9, bounded memory: checking a row whose prompt, chat message or parameter text is 50 MB allocates next to
 * nothing (measured per thread), because the caps are checked before the text is tokenized, rendered or parsed.
 */
class HostileRowMemoryTest {

    private static final int HUGE = 50 << 20; // chars (one byte each in a Latin-1 String)
    /** Far below the 50 MB input: the check may not copy it, let alone tokenize it (which takes gigabytes). */
    private static final long BOUND = 1 << 20;

    private static final StructType MESSAGE = new StructType()
            .add("role", DataTypes.StringType).add("content", DataTypes.StringType);
    private static final StructType PROMPTS = new StructType()
            .add("prompt", DataTypes.StringType).add("max_tokens", DataTypes.StringType);
    private static final StructType CHATS = new StructType()
            .add("messages", DataTypes.createArrayType(MESSAGE));

    private final ModelAdapter backend = new EngineAdapterFactory(TestModels.stories260kF32().toString(),
            EngineSettings.defaults().withKvBudgetBytes(32L << 20)).open();
    private final String huge = "a".repeat(HUGE);

    @Test
    void aHugePromptIsRejectedWithoutTokenizingIt() {
        RowPreparer preparer = preparer(PROMPTS);
        Row row = new GenericRowWithSchema(new Object[] {huge, null}, PROMPTS);

        PreparedPrompt prepared = measured(() -> preparer.prepare(row, backend));

        assertThat(((PreparedPrompt.Rejected) prepared).error().kind()).isEqualTo(ErrorKind.PROMPT_TOO_LONG);
    }

    @Test
    void aPromptTooLongForAnyContextIsRejectedWithoutTokenizingIt() {
        RowPreparer preparer = preparer(PROMPTS);
        Row row = new GenericRowWithSchema(new Object[] {huge.substring(0, 1 << 20), null}, PROMPTS);

        PreparedPrompt prepared = measured(() -> preparer.prepare(row, backend));

        assertThat(((PreparedPrompt.Rejected) prepared).error().message()).contains("more than the model's context"
                + " of 512 tokens can hold");
    }

    @Test
    void aHugeMaxTokensTextIsRejectedWithoutParsingIt() {
        RowPreparer preparer = preparer(PROMPTS);
        Row row = new GenericRowWithSchema(new Object[] {"Once", "9".repeat(HUGE)}, PROMPTS);

        PreparedPrompt prepared = measured(() -> preparer.prepare(row, backend));

        assertThat(((PreparedPrompt.Rejected) prepared).error().message())
                .startsWith("field max_tokens: expected an integer, got 999").endsWith("...");
    }

    @Test
    void aHugeChatMessageIsRejectedWithoutRenderingIt() {
        RowPreparer preparer = preparer(CHATS);
        Row message = new GenericRowWithSchema(new Object[] {"user", huge}, MESSAGE);
        Row row = new GenericRowWithSchema(new Object[] {CollectionConverters.asScala(List.of(message)).toSeq()},
                CHATS);

        PreparedPrompt prepared = measured(() -> preparer.prepare(row, backend));

        assertThat(((PreparedPrompt.Rejected) prepared).error().message()).isEqualTo("Cannot render messages:"
                + " messages[0..0] hold " + (HUGE + 4) + " characters, more than the 1048576 allowed (maxPromptChars)");
    }

    private static RowPreparer preparer(StructType schema) {
        InputColumns columns = InputSchema.validate(schema, "prompt", "messages", "id", List.of());
        return new RowPreparer(columns, GenerateOptions.DEFAULT_SAMPLING, GenerateOptions.DEFAULT_MAX_PROMPT_CHARS);
    }

    /** Runs {@code check} once to warm up, then again, asserting what the second run allocated on this thread. */
    private static PreparedPrompt measured(Supplier<PreparedPrompt> check) {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        check.get();
        long before = threads.getCurrentThreadAllocatedBytes();
        PreparedPrompt prepared = check.get();
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated checking a %s-char row", HUGE).isLessThan(BOUND);
        return prepared;
    }
}
