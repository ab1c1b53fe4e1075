package dev.canopy.pipeline;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.chat.ChatTemplate;
import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.gguf.GgufWriter;
import dev.canopy.pipeline.batch.BatchJobSpec;
import dev.canopy.pipeline.batch.BatchOutcome;
import dev.canopy.pipeline.batch.BatchRun;
import dev.canopy.pipeline.batch.OutputFormat;
import dev.canopy.pipeline.engine.EngineAdapterFactory;
import dev.canopy.pipeline.engine.EngineSettings;
import dev.canopy.pipeline.input.InputFormat;
import dev.canopy.pipeline.input.InputSpec;
import dev.canopy.pipeline.input.InvalidInputException;

/**
 * Issue 9, dataset side: hostile rows (bad bytes, huge strings, out-of-range or mistyped parameters, broken
 * messages) sit between good rows in real input files; the real job on the stories260K model writes every row
 * once, gives each hostile row an error naming its field, and leaves the good rows' text as a clean run has it.
 */
class HostileDatasetTest {

    private static final int MAX_TOKENS = 4;
    private static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.LongType).add("prompt", DataTypes.BinaryType)
            .add("max_tokens", DataTypes.LongType).add("n", DataTypes.LongType)
            .add("temperature", DataTypes.DoubleType).add("top_p", DataTypes.DoubleType)
            .add("top_k", DataTypes.LongType).add("min_p", DataTypes.DoubleType)
            .add("stop", DataTypes.createArrayType(DataTypes.StringType));

    private static final StructType MESSAGE = new StructType()
            .add("role", DataTypes.StringType).add("content", DataTypes.StringType);

    private final SparkSession spark = SharedSpark.session();
    private final GenerateOptions model = GenerateOptions.of(new EngineAdapterFactory(
                    TestModels.stories260kF32().toString(), EngineSettings.defaults().withKvBudgetBytes(32L << 20)))
            .withSampling(GenerateOptions.DEFAULT_SAMPLING.toBuilder().maxTokens(MAX_TOKENS).build());

    @TempDir
    Path dir;

    /**
     * One job over the good and the hostile rows, then one case per hostile row, so a broken check names its row
     * and the others still run.
     */
    @TestFactory
    Stream<DynamicTest> hostileParquetRowsFailAloneNamingTheirField() {
        List<Row> good = List.of(
                row(1, utf8("Once upon a time"), Map.of()),
                row(2, utf8("Lily saw a big dog"), Map.of()),
                row(3, utf8("Tom and his mom went to the park"), Map.of("temperature", 0.8)));
        List<HostileRow> hostile = List.of(
                new HostileRow(row(10, utf8("Lily\u0000saw a cat"), Map.of()), "NUL is text: it generates",
                        r -> assertThat(error(r)).isNull()),
                new HostileRow(row(11, new byte[] {'B', 'e', 'n', ' ', (byte) 0xff, (byte) 0xc3, ' ', 'r', 'a', 'n'},
                        Map.of()), "invalid UTF-8 reads as U+FFFD and generates", r -> {
                            assertThat(error(r)).isNull();
                            assertThat(r.<String>getAs("prompt")).isEqualTo("Ben \uFFFD\uFFFD ran");
                        }),
                hostileRow(12, utf8("a".repeat(20 << 20)), Map.of(), "prompt_too_long: Cannot generate: the prompt in"
                        + " column 'prompt' has " + (20 << 20) + " characters, more than the 1048576 allowed"
                        + " (maxPromptChars)"),
                hostileRow(13, utf8("Once"), Map.of("max_tokens", (long) Integer.MAX_VALUE), "invalid_params: field"
                        + " max_tokens: Cannot generate 2147483647 tokens: the model's context holds 512; use max_tokens"
                        + " in [1, 512]"),
                hostileRow(14, utf8("Once"), Map.of("max_tokens", 1L << 40), "invalid_params: field max_tokens:"
                        + " expected an integer below 2^31, got " + (1L << 40)),
                hostileRow(15, utf8("Once"), Map.of("max_tokens", -5L), "invalid_params: field max_tokens: Cannot use"
                        + " sampling parameters: maxTokens must be in [1, 2^31), got -5"),
                new HostileRow(row(16, utf8("Once"), Map.of("max_tokens", 0L)), "max_tokens 0",
                        r -> assertThat(error(r)).endsWith("maxTokens must be in [1, 2^31), got 0")),
                hostileRow(17, utf8("Once"), Map.of("n", 1_000_000L), "invalid_params: field n: Cannot use sampling"
                        + " parameters: n must be in [1, 128], got 1000000"),
                new HostileRow(row(18, utf8("Once"), Map.of("n", 0L)), "n 0",
                        r -> assertThat(error(r)).startsWith("invalid_params: field n: ").endsWith("got 0")),
                new HostileRow(row(19, utf8("Once"), Map.of("n", -1L)), "n -1",
                        r -> assertThat(error(r)).startsWith("invalid_params: field n: ").endsWith("got -1")),
                hostileRow(20, utf8("Once"), Map.of("temperature", Double.NaN), "invalid_params: field temperature:"
                        + " expected a finite number, got NaN"),
                hostileRow(21, utf8("Once"), Map.of("temperature", Double.POSITIVE_INFINITY), "invalid_params: field"
                        + " temperature: expected a finite number, got Infinity"),
                hostileRow(22, utf8("Once"), Map.of("temperature", -1.0), "invalid_params: field temperature: Cannot"
                        + " use sampling parameters: temperature must be in [0, inf) (0 = greedy), got -1.0"),
                hostileRow(23, utf8("Once"), Map.of("top_p", Double.NaN), "invalid_params: field top_p: expected a"
                        + " finite number, got NaN"),
                hostileRow(24, utf8("Once"), Map.of("top_p", -0.5), "invalid_params: field top_p: Cannot use sampling"
                        + " parameters: topP must be in (0, 1] (1 = off), got -0.5"),
                hostileRow(25, utf8("Once"), Map.of("top_k", -3L), "invalid_params: field top_k: Cannot use sampling"
                        + " parameters: topK must be in [0, 2^31) (0 = off), got -3"),
                hostileRow(26, utf8("Once"), Map.of("min_p", Double.NEGATIVE_INFINITY), "invalid_params: field min_p:"
                        + " expected a finite number, got -Infinity"),
                hostileRow(27, utf8("Once"), Map.of("stop", Collections.nCopies(5000, "x")), "invalid_params: field"
                        + " stop: expected at most 16, got 5000 strings"),
                hostileRow(28, utf8("Once"), Map.of("stop", List.of("y".repeat(1 << 20))), "invalid_params: field"
                        + " stop: expected at most 1024, got a string of " + (1 << 20) + " characters"),
                hostileRow(29, utf8(""), Map.of(), "empty_prompt: Cannot generate: the prompt in column 'prompt' is"
                        + " empty"),
                hostileRow(30, null, Map.of(), "null_prompt: Cannot generate: column 'prompt' is null"),
                new HostileRow(row(31, utf8("Once"), Map.of("n", 128L, "max_tokens", 256L)),
                        "the engine seats all n samples at once", r -> assertThat(error(r)).isEqualTo("generation_failed:"
                        + " Cannot schedule the request: its n=128 samples need 128 seats but maxSeqs is 64; lower n"
                        + " or raise maxSeqs")),
                new HostileRow(row(32, utf8("Lily ".repeat(100_000)), Map.of()),
                        "under maxPromptChars, but more than 512 tokens of any vocabulary entry", r -> assertThat(error(r))
                        .matches("prompt_too_long: Cannot generate: the prompt in column 'prompt' has 500000 characters,"
                                + " more than the model's context of 512 tokens can hold \\(a token stands for at most"
                                + " \\d+ characters\\)")));
        List<Row> all = new ArrayList<>(good);
        hostile.forEach(h -> all.add(h.row()));

        Map<Long, Row> clean = runParquet("clean", good);
        Map<Long, Row> out = runParquet("hostile", all);

        DynamicTest goodRows = dynamicTest("every row written once, the good rows as in a clean run", () -> {
            assertThat(out).hasSize(all.size());
            for (long id = 1; id <= 3; id++) {
                assertThat(out.get(id).<String>getAs("error")).isNull();
                assertThat(out.get(id).<String>getAs("generated_text")).as("row %s", id)
                        .isEqualTo(clean.get(id).getAs("generated_text")).isNotEmpty();
            }
        });
        return Stream.concat(Stream.of(goodRows), hostile.stream().map(h -> dynamicTest(
                "row " + h.row().getLong(0) + ": " + h.what(), () -> h.check().accept(out.get(h.row().getLong(0))))));
    }

    /** A hostile input row, what it tries, and what its output row must show. */
    private record HostileRow(Row row, String what, Consumer<Row> check) {}

    /** A row whose error must be exactly {@code expectedError}; named by the error's kind and the fields set. */
    private static HostileRow hostileRow(long id, byte[] prompt, Map<String, Object> params, String expectedError) {
        String kind = expectedError.substring(0, expectedError.indexOf(':'));
        return new HostileRow(row(id, prompt, params), params.isEmpty() ? kind : kind + " " + params.keySet(),
                r -> assertThat(error(r)).isEqualTo(expectedError));
    }

    @Test
    void hostileJsonLinesFailAloneNamingTheirField() throws IOException {
        List<byte[]> lines = List.of(
                utf8("{\"id\": 1, \"prompt\": \"Once upon a time\", \"max_tokens\": 4}"),
                utf8("{\"id\": 2, \"prompt\": \"Lily saw a big dog\", \"seed\": 7, \"temperature\": 0.5}"),
                concat(utf8("{\"id\": 3, \"prompt\": \"Ben "), new byte[] {(byte) 0xff, (byte) 0xfe}, utf8(" ran\"}")),
                utf8("{\"id\": 4, \"prompt\": \"Lily\\u0000saw a cat\"}"),
                utf8("{\"id\": 5, \"prompt\": \"Once\", \"max_tokens\": \"abc\"}"),
                utf8("{\"id\": 6, \"prompt\": \"Once\", \"max_tokens\": {\"a\": 1}}"),
                utf8("{\"id\": 7, \"prompt\": \"Once\", \"max_tokens\": [1, 2]}"),
                utf8("{\"id\": 8, \"prompt\": \"Once\", \"max_tokens\": 1e10}"),
                utf8("{\"id\": 9, \"prompt\": \"Once\", \"seed\": 1e30}"),
                utf8("{\"id\": 10, \"prompt\": \"Once\", \"temperature\": NaN}"),
                utf8("{\"id\": 11, \"prompt\": \"Once\", \"seed\": 2.5}"),
                utf8("{\"id\": 12, \"prompt\": 42}"),
                utf8("{\"id\": 13, \"prompt\": \"cut"));

        Map<Long, JsonNode> clean = runJsonl("clean", lines.subList(0, 2)).byId();
        JsonOutput written = runJsonl("hostile", lines);
        Map<Long, JsonNode> out = written.byId();

        assertThat(out).as("malformed lines keep the id read from the line").hasSize(lines.size());
        assertThat(written.malformed()).isEmpty();
        for (long id : new long[] {1, 2}) {
            assertThat(out.get(id).get("error").isNull()).isTrue();
            assertThat(out.get(id).get("generated_text").asText()).as("row %s", id)
                    .isEqualTo(clean.get(id).get("generated_text").asText()).isNotEmpty();
        }
        assertThat(jsonError(out, 3)).isEqualTo("malformed_row: Cannot read row: the reader could not parse its line"
                + " (bad syntax, a value of the wrong type, or bytes that are not UTF-8, shown as U+FFFD): {\"id\": 3,"
                + " \"prompt\": \"Ben \uFFFD\uFFFD ran\"}");
        assertThat(jsonError(out, 13)).isEqualTo("malformed_row: Cannot read row: the reader could not parse its line"
                + " (bad syntax, a value of the wrong type, or bytes that are not UTF-8, shown as U+FFFD): {\"id\": 13,"
                + " \"prompt\": \"cut");
        assertThat(out.get(4L).get("error").isNull()).as("NUL is text: it generates").isTrue();
        assertThat(jsonError(out, 5)).isEqualTo("invalid_params: field max_tokens: expected an integer, got abc");
        assertThat(jsonError(out, 6)).isEqualTo("invalid_params: field max_tokens: expected an integer, got {\"a\": 1}");
        assertThat(jsonError(out, 7)).isEqualTo("invalid_params: field max_tokens: expected an integer, got [1, 2]");
        assertThat(jsonError(out, 8)).isEqualTo("invalid_params: field max_tokens: expected an integer below 2^31, got"
                + " 1.0E10");
        assertThat(jsonError(out, 9)).isEqualTo("invalid_params: field seed: expected an integer, got 1.0E30");
        assertThat(jsonError(out, 10)).isEqualTo("invalid_params: field temperature: expected a finite number, got NaN");
        assertThat(jsonError(out, 11)).isEqualTo("invalid_params: field seed: expected an integer, got 2.5");
        assertThat(out.get(12L).get("prompt").asText()).as("Spark widens a mixed column to text").isEqualTo("42");
        assertThat(out.get(12L).get("error").isNull()).isTrue();
    }

    @Test
    void hostileOpenAiBatchRequestsFailAloneNamingTheirField() throws IOException {
        List<String> requests = List.of(
                request("a", "[{\"role\": \"user\", \"content\": \"hello\"}]", "\"max_tokens\": 5"),
                request("b", "[{\"role\": \"user\", \"content\": \"bye\"}]", "\"seed\": 3"),
                request("c", "[{\"role\": \"user\", \"content\": \"x\"}]", "\"max_tokens\": \"abc\""),
                request("d", "[{\"role\": \"user\", \"content\": \"x\"}]", "\"max_tokens\": 2147483647"),
                request("e", "[{\"role\": \"user\", \"content\": \"x\"}]", "\"n\": 1000000"),
                request("f", "[{\"role\": \"user\", \"content\": \"x\"}]", "\"top_p\": \"NaN\""),
                request("g", "[{\"role\": \"user\", \"content\": \"x\"}]", "\"temperature\": -2"),
                request("h", "[{\"role\": \"user\", \"content\": \"x\"}]", "\"seed\": 1e30"),
                request("i", "[{\"role\": \"user\", \"content\": \"x\"}]", "\"stop\": [" + String.join(", ",
                        Collections.nCopies(5000, "\"s\"")) + "]"),
                request("j", "[{\"role\": \"user\", \"content\": null}]", "\"seed\": 1"),
                request("k", "[{\"role\": \"\", \"content\": \"x\"}]", "\"seed\": 1"),
                request("l", "[{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"hi\"}]}]",
                        "\"seed\": 1"),
                request("l2", "[{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"hi\"},"
                        + " {\"type\": \"image_url\", \"image_url\": {\"url\": \"http://x\"}}]}]", "\"seed\": 1"),
                request("m", "\"hello\"", "\"seed\": 1"),
                request("n", "[null]", "\"seed\": 1"),
                "{\"custom_id\": \"o\", \"body\": {\"messages\": [");
        Path input = Files.write(dir.resolve("requests.jsonl"), requests);
        GenerateOptions echo = GenerateOptions.of(ByteEchoAdapter.named("echo")).withIdColumn("custom_id");
        String output = dir.resolve("openai-out").toString();

        BatchOutcome outcome = BatchRun.run(spark, new BatchJobSpec(new InputSpec(input.toString(),
                InputFormat.OPENAI_BATCH), output, OutputFormat.OPENAI_BATCH, echo, false, Duration.ofSeconds(30)));

        assertThat(outcome.complete()).as("job complete (failure: %s)", outcome.metrics().failure()).isTrue();
        Map<String, JsonNode> byId = new HashMap<>();
        for (JsonNode line : outputLines(output)) {
            assertThat(byId.put(line.get("custom_id").asText("(none)"), line)).isNull();
        }
        assertThat(byId).hasSize(requests.size());
        assertThat(byId.get("a").get("response").get("body").get("choices").get(0).get("message").get("content")
                .asText()).isEqualTo(ByteEchoAdapter.expectedText("user: hello\nassistant:", 0, 0, 5));
        assertThat(byId.get("b").get("error").isNull()).isTrue();
        assertThat(openAiError(byId, "c")).isEqualTo("invalid_params: field max_tokens: expected an integer, got abc");
        assertThat(openAiError(byId, "d")).isEqualTo("invalid_params: field max_tokens: Cannot generate 2147483647"
                + " tokens: the model's context holds 64; use max_tokens in [1, 64]");
        assertThat(openAiError(byId, "e")).isEqualTo("invalid_params: field n: Cannot use sampling parameters: n must"
                + " be in [1, 128], got 1000000");
        assertThat(openAiError(byId, "f")).isEqualTo("invalid_params: field top_p: expected a finite number, got NaN");
        assertThat(openAiError(byId, "g")).isEqualTo("invalid_params: field temperature: Cannot use sampling"
                + " parameters: temperature must be in [0, inf) (0 = greedy), got -2.0");
        assertThat(openAiError(byId, "h")).isEqualTo("invalid_params: field seed: expected an integer, got 1.0E30");
        assertThat(openAiError(byId, "i")).isEqualTo("invalid_params: field stop: expected at most 16, got 5000"
                + " strings");
        assertThat(openAiError(byId, "j")).isEqualTo("invalid_messages: Cannot render messages: messages[0].content"
                + " is null");
        assertThat(openAiError(byId, "k")).isEqualTo("invalid_messages: Cannot render messages: messages[0].role is"
                + " blank");
        assertThat(byId.get("l").get("response").get("body").get("choices").get(0).get("message").get("content")
                .asText()).as("text parts are joined").isEqualTo(ByteEchoAdapter.expectedText("user: hi\nassistant:", 1,
                0, 64));
        assertThat(openAiError(byId, "l2")).isEqualTo("invalid_messages: Cannot render messages:"
                + " messages[0].content[1] is a part of type 'image_url'; a text model reads only parts of"
                + " type 'text'");
        assertThat(openAiError(byId, "m")).startsWith("malformed_row: Cannot read row: the reader could not parse its"
                + " line").endsWith("...");
        assertThat(openAiError(byId, "n")).isEqualTo("invalid_messages: Cannot render messages: messages[0] is null");
        assertThat(openAiError(byId, "o")).as("a malformed line keeps its custom_id")
                .endsWith(": {\"custom_id\": \"o\", \"body\": {\"messages\": [");
        assertThat(byId.get("o").get("error").get("code").asText()).isEqualTo("malformed_row");
    }

    private static String openAiError(Map<String, JsonNode> byId, String id) {
        return byId.get(id).get("error").get("message").asText();
    }

    @Test
    void hostileChatMessagesFailAloneNamingTheMessage() {
        GenerateOptions chat = GenerateOptions.of(new EngineAdapterFactory(modelWithTemplate().toString(),
                        EngineSettings.defaults().withKvBudgetBytes(32L << 20)))
                .withSampling(model.sampling()).withMaxPromptChars(10_000);
        StructType schema = new StructType().add("id", DataTypes.LongType)
                .add("messages", DataTypes.createArrayType(MESSAGE));
        List<Row> good = List.of(
                RowFactory.create(1L, List.of(message("user", "Once upon a time"))),
                RowFactory.create(2L, List.of(message("system", "Be kind."), message("user", "Lily saw a dog"))));
        List<Row> all = new ArrayList<>(good);
        all.addAll(List.of(
                RowFactory.create(10L, List.of(message("wizard", "hi"))),
                RowFactory.create(11L, List.of(message("user", null))),
                RowFactory.create(12L, List.of(message(null, "hi"))),
                RowFactory.create(13L, java.util.Arrays.asList(message("user", "hi"), null)),
                RowFactory.create(14L, List.of(message("user", "[{\"type\": \"text\", \"text\": \"Once\"},"
                        + " {\"type\": \"image_url\"}]"))),
                RowFactory.create(15L, List.of(message("user", "a".repeat(20_000)))),
                RowFactory.create(16L, null)));

        Map<Long, Row> clean = byId(Canopy.generate(spark.createDataFrame(good, schema), chat).collectAsList());
        Map<Long, Row> out = byId(Canopy.generate(spark.createDataFrame(all, schema), chat).collectAsList());

        assertThat(out).hasSize(all.size());
        for (long id = 1; id <= 2; id++) {
            assertThat(error(out, id)).isNull();
            assertThat(out.get(id).<String>getAs("generated_text")).isEqualTo(clean.get(id).getAs("generated_text"))
                    .isNotEmpty();
        }
        assertThat(error(out, 10)).startsWith("invalid_messages: Cannot render messages with the model's chat"
                + " template: ").endsWith("the template raised an exception: Cannot chat as 'wizard'");
        assertThat(error(out, 11)).isEqualTo("invalid_messages: Cannot render messages: messages[0].content is null");
        assertThat(error(out, 12)).isEqualTo("invalid_messages: Cannot render messages: messages[0].role is null");
        assertThat(error(out, 13)).isEqualTo("invalid_messages: Cannot render messages: messages[1] is null");
        assertThat(error(out, 14)).isEqualTo("invalid_messages: Cannot render messages: messages[0].content[1] is a"
                + " part of type 'image_url'; a text model reads only parts of type 'text'");
        assertThat(error(out, 15)).isEqualTo("prompt_too_long: Cannot render messages: messages[0..0] hold 20004"
                + " characters, more than the 10000 allowed (maxPromptChars)");
        assertThat(error(out, 16)).isEqualTo("null_prompt: Cannot generate: column 'messages' is null");
    }

    @Test
    void aFiftyMegabyteChatMessageLineIsPromptTooLongAndKeepsItsId() throws IOException {
        GenerateOptions chat = GenerateOptions.of(new EngineAdapterFactory(modelWithTemplate().toString(),
                        EngineSettings.defaults().withKvBudgetBytes(32L << 20)))
                .withSampling(model.sampling()).withPartitions(2);
        List<byte[]> lines = List.of(
                utf8("{\"id\": 1, \"messages\": [{\"role\": \"user\", \"content\": \"Once upon a time\"}]}"),
                utf8("{\"id\": 2, \"messages\": [{\"role\": \"user\", \"content\": \"Lily saw a dog\"}]}"),
                utf8("{\"id\": 3, \"messages\": [{\"role\": \"user\", \"content\": \"" + "a".repeat(50_000_000)
                        + "\"}]}"),
                utf8("{\"id\": 4, \"messages\": [{\"role\": \"user\", \"content\": \"cut"));
        Path input = Files.write(dir.resolve("chat.jsonl"), join(lines));
        String output = dir.resolve("chat-out").toString();

        BatchOutcome outcome = BatchRun.run(spark, new BatchJobSpec(new InputSpec(input.toString(), InputFormat.JSONL),
                output, OutputFormat.JSONL, chat, false, Duration.ofSeconds(30)));

        assertThat(outcome.complete()).as("job complete (failure: %s)", outcome.metrics().failure()).isTrue();
        Map<Long, JsonNode> out = new HashMap<>();
        for (JsonNode line : outputLines(output)) {
            out.put(line.get("id").asLong(), line);
        }
        assertThat(out).containsOnlyKeys(1L, 2L, 3L, 4L);
        assertThat(out.get(1L).get("generated_text").asText()).isNotEmpty();
        assertThat(out.get(2L).get("generated_text").asText()).isNotEmpty();
        assertThat(jsonError(out, 3)).isEqualTo("prompt_too_long: Cannot generate: the 'messages' value of this row"
                + " spans 50000033 characters of JSON, more than the 1048576 allowed (maxPromptChars); the line was not"
                + " parsed");
        assertThat(jsonError(out, 4)).startsWith("malformed_row: ");
    }

    /** stories260K with a chat template that names the roles it accepts (written to the test's directory). */
    private Path modelWithTemplate() {
        Path file = dir.resolve("stories-chat.gguf");
        String template = "{% for m in messages %}{% if m['role'] != 'system' and m['role'] != 'user'"
                + " and m['role'] != 'assistant' %}{{ raise_exception('Cannot chat as \\'' + m['role'] + '\\'') }}"
                + "{% endif %}{{ m['content'] + ' ' }}{% endfor %}";
        try (GgufFile base = GgufFile.open(TestModels.stories260kF32())) {
            GgufWriter writer = new GgufWriter(file).putAll(base.metadata())
                    .putString(ChatTemplate.METADATA_KEY, template);
            for (String name : base.tensorInfos().keySet()) {
                writer.addTensor(base.tensor(name));
            }
            writer.write();
        }
        return file;
    }

    private static Row message(String role, String content) {
        return RowFactory.create(role, content);
    }

    private static Map<Long, Row> byId(List<Row> rows) {
        Map<Long, Row> byId = new HashMap<>();
        for (Row r : rows) {
            assertThat(byId.put(r.<Long>getAs("id"), r)).as("id %s written once", (Object) r.getAs("id")).isNull();
        }
        return byId;
    }

    @Test
    void aColumnMistypedForEveryRowFailsTheJobBeforeAnythingRuns() {
        StructType struct = new StructType().add("text", DataTypes.StringType);
        assertMistyped(new StructType().add("prompt", DataTypes.LongType), RowFactory.create(42L),
                "column 'prompt' has type bigint, expected string");
        assertMistyped(new StructType().add("prompt", struct), RowFactory.create(RowFactory.create("hi")),
                "column 'prompt' has type struct<text:string>, expected string");
        assertMistyped(new StructType().add("prompt", DataTypes.StringType).add("max_tokens", struct),
                RowFactory.create("Once", RowFactory.create("5")),
                "column 'max_tokens' has type struct<text:string>, expected a numeric or string type");
        assertMistyped(new StructType().add("prompt", DataTypes.StringType)
                        .add("max_tokens", DataTypes.createArrayType(DataTypes.LongType)),
                RowFactory.create("Once", List.of(5L)),
                "column 'max_tokens' has type array<bigint>, expected a numeric or string type");
        assertMistyped(new StructType().add("prompt", DataTypes.StringType).add("stop", DataTypes.LongType),
                RowFactory.create("Once", 5L), "column 'stop' has type bigint, expected string or array<string>");
    }

    private void assertMistyped(StructType schema, Row row, String problem) {
        String input = dir.resolve("mistyped-" + problem.hashCode() + ".parquet").toString();
        spark.createDataFrame(List.of(row), schema).write().parquet(input);
        Path output = dir.resolve("mistyped-out");
        BatchJobSpec spec = new BatchJobSpec(new InputSpec(input, InputFormat.PARQUET), output.toString(),
                OutputFormat.PARQUET, model, false, Duration.ofSeconds(30));

        assertThatThrownBy(() -> BatchRun.run(spark, spec)).isInstanceOf(InvalidInputException.class)
                .hasMessage("Cannot read prompts: " + problem);
        assertThat(Files.exists(output)).isFalse();
    }

    private static String request(String id, String messages, String params) {
        return "{\"custom_id\": \"" + id + "\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", \"body\":"
                + " {\"model\": \"x\", \"messages\": " + messages + ", " + params + "}}";
    }

    private Map<Long, Row> runParquet(String name, List<Row> rows) {
        String input = dir.resolve(name + ".parquet").toString();
        spark.createDataFrame(rows, SCHEMA).withColumn("prompt", col("prompt").cast(DataTypes.StringType))
                .coalesce(1).write().parquet(input);
        String output = dir.resolve(name + "-out").toString();
        BatchOutcome outcome = BatchRun.run(spark, new BatchJobSpec(new InputSpec(input, InputFormat.PARQUET), output,
                OutputFormat.PARQUET, model.withPartitions(2), false, Duration.ofSeconds(30)));
        assertThat(outcome.complete()).as("job complete (failure: %s)", outcome.metrics().failure()).isTrue();
        return byId(spark.read().parquet(output).collectAsList());
    }

    /** JSON output lines by id, and those of rows without an id (malformed lines). */
    private record JsonOutput(Map<Long, JsonNode> byId, List<JsonNode> malformed) {}

    private JsonOutput runJsonl(String name, List<byte[]> lines) throws IOException {
        Path input = Files.write(dir.resolve(name + ".jsonl"), join(lines));
        String output = dir.resolve(name + "-out").toString();
        BatchOutcome outcome = BatchRun.run(spark, new BatchJobSpec(new InputSpec(input.toString(), InputFormat.JSONL),
                output, OutputFormat.JSONL, model.withPartitions(2), false, Duration.ofSeconds(30)));
        assertThat(outcome.complete()).as("job complete (failure: %s)", outcome.metrics().failure()).isTrue();
        JsonOutput out = new JsonOutput(new HashMap<>(), new ArrayList<>());
        for (JsonNode line : outputLines(output)) {
            if (line.get("id").isNull()) {
                out.malformed().add(line);
            } else {
                assertThat(out.byId().put(line.get("id").asLong(), line)).as("id %s written once", line.get("id"))
                        .isNull();
            }
        }
        return out;
    }

    private static List<JsonNode> outputLines(String output) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        // a malformed line comes out whole in the corrupt-record column, past Jackson's default string limit
        ObjectMapper json = new ObjectMapper(JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(Integer.MAX_VALUE).build()).build());
        try (var parts = Files.list(Path.of(output))) {
            for (Path part : parts.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
                for (String line : Files.readAllLines(part)) {
                    lines.add(json.readTree(line));
                }
            }
        }
        return lines;
    }

    private static String jsonError(Map<Long, JsonNode> out, long id) {
        return out.get(id).get("error").asText();
    }

    private static String error(Map<Long, Row> out, long id) {
        return out.get(id).getAs("error");
    }

    private static String error(Row output) {
        return output.getAs("error");
    }

    private static Row row(long id, byte[] prompt, Map<String, Object> params) {
        Object[] values = new Object[SCHEMA.size()];
        values[0] = id;
        values[1] = prompt;
        params.forEach((name, value) -> values[SCHEMA.fieldIndex(name)] = value);
        return RowFactory.create(values);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        return join(List.of(parts), new byte[0]);
    }

    private static byte[] join(List<byte[]> lines) {
        return join(lines, new byte[] {'\n'});
    }

    private static byte[] join(List<byte[]> parts, byte[] separator) {
        var out = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
            out.writeBytes(separator);
        }
        return out.toByteArray();
    }
}
