package dev.canopy.executor.structured;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.canopy.executor.TestModels;
import dev.canopy.executor.engine.Engine;
import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.engine.GenerationRequest;
import dev.canopy.executor.engine.GenerationResult;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.sched.FinishReason;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.model.SyntheticModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Constrained generation on real models (stories260K and a random-weight llama with a byte-level vocabulary), greedy and sampled:
 * every completed constrained output validates against its schema with an independent validator
 * (networknt json-schema-validator), a row's output is the same in a batch as alone, an output cut by
 * max_tokens ends with "length" and an incomplete-value error, an unsupported schema fails only its
 * row, and unconstrained rows in the same steps are untouched.
 */
class ConstrainedGenerationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory VALIDATORS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    static final List<String> SCHEMAS = List.of(
            // enum + bounded integer
            """
            {"type": "object", "additionalProperties": false, "required": ["label", "score"],
             "properties": {"label": {"enum": ["positive", "negative", "neutral"]},
                            "score": {"type": "integer", "minimum": 0, "maximum": 10}}}""",
            // nested object and array
            """
            {"type": "object", "additionalProperties": false, "required": ["name", "tags", "meta"],
             "properties": {"name": {"type": "string", "maxLength": 8},
                            "tags": {"type": "array", "items": {"type": "string", "maxLength": 4}, "maxItems": 2},
                            "meta": {"type": "object", "additionalProperties": false, "required": ["ok"],
                                     "properties": {"ok": {"type": "boolean"}}}}}""",
            // regex
            """
            {"type": "string", "pattern": "^[a-z]{1,6}-[0-9]{2}$"}""",
            // recursion through $ref
            """
            {"$ref": "#/$defs/node", "$defs": {"node": {"type": "object", "additionalProperties": false,
              "required": ["v"], "properties": {"v": {"enum": [1, 2, 3]},
              "kids": {"type": "array", "maxItems": 2, "items": {"$ref": "#/$defs/node"}}}}}}""");

    static Stream<Arguments> modelsAndSampling() {
        Path stories = TestModels.stories260kF32();
        Path random = randomModel();
        return Stream.of(Arguments.of(stories, 0.0), Arguments.of(stories, 1.0), Arguments.of(random, 0.0),
                Arguments.of(random, 1.0));
    }

    /** A random-weight llama model with the synthetic byte-level vocabulary ({@link SyntheticModel}). */
    private static Path randomModel() {
        try {
            Path dir = Files.createTempDirectory("constrained");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve("random.gguf");
            SyntheticModel.write(file, new SyntheticModel.Shape(64, 1, 4, 2, 128, 4096, 512), GgmlType.F32, 9);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<GenerationRequest> requests(double temperature) {
        String[] prompts = {"Once upon a time", "The cat said", "Lily and Tom", "A big dog"};
        List<GenerationRequest> out = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            SamplingParams p = SamplingParams.builder().temperature(temperature).seed(100 + i).maxTokens(90).build();
            out.add(new GenerationRequest("s" + i, prompts[i % 4], p)
                    .withConstraint(new Constraint.JsonSchema(SCHEMAS.get(i % SCHEMAS.size()))));
        }
        SamplingParams free = SamplingParams.builder().temperature(temperature).seed(7).maxTokens(12).build();
        out.add(new GenerationRequest("free", "Once upon a time", free));
        SamplingParams shortParams = SamplingParams.builder().temperature(temperature).seed(8).maxTokens(3).build();
        out.add(new GenerationRequest("short", "The cat said", shortParams)
                .withConstraint(new Constraint.JsonSchema(SCHEMAS.get(1))));
        out.add(new GenerationRequest("unsupported", "The cat said", free)
                .withConstraint(new Constraint.JsonSchema("{\"type\": \"array\", \"uniqueItems\": true}")));
        return out;
    }

    private static Map<String, GenerationResult> run(Path model, int maxSeqs, List<GenerationRequest> requests) {
        EngineConfig config = EngineConfig.defaults(model).withThreads(2).withKvBudgetBytes(8L << 20).withMaxSeqs(maxSeqs);
        Map<String, GenerationResult> out = new TreeMap<>();
        try (Engine engine = Engine.open(config)) {
            engine.generate(requests).forEach(r -> out.put(r.id(), r));
        }
        return out;
    }

    @ParameterizedTest(name = "{0} at temperature {1}")
    @MethodSource("modelsAndSampling")
    void everyCompletedOutputValidatesAndRowsDoNotDependOnTheirBatch(Path model, double temperature) throws Exception {
        List<GenerationRequest> requests = requests(temperature);
        Map<String, GenerationResult> together = run(model, 16, requests);
        int validated = 0;
        for (int i = 0; i < 8; i++) {
            GenerationResult r = together.get("s" + i);
            if (r.finishReason() == FinishReason.LENGTH) {
                assertThat(r.error()).as("error of %s", r.id()).hasValueSatisfying(e -> assertThat(e).contains("incomplete"));
                continue;
            }
            assertThat(r.finishReason()).as("finish of %s: %s", r.id(), r.error()).isEqualTo(FinishReason.STOP);
            Set<ValidationMessage> errors = VALIDATORS.getSchema(SCHEMAS.get(i % SCHEMAS.size()))
                    .validate(JSON.readTree(r.text()));
            assertThat(errors).as("validation of %s: %s", r.id(), r.text()).isEmpty();
            validated++;
        }
        assertThat(validated).as("completed constrained rows").isGreaterThanOrEqualTo(4);
        assertThat(together.get("free").error()).isEmpty();
        assertThat(together.get("free").completions().get(0).tokenIds()).hasSize(12);
        assertThat(together.get("short").finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(together.get("short").error()).hasValueSatisfying(e -> assertThat(e).contains("value is incomplete after 3 tokens"));
        assertThat(together.get("unsupported").error()).hasValueSatisfying(e -> assertThat(e).contains("uniqueItems"));

        Map<String, GenerationResult> alone = run(model, 1, requests);
        together.forEach((id, r) -> assertThat(alone.get(id).text()).as("text of %s alone", id).isEqualTo(r.text()));
    }
}
