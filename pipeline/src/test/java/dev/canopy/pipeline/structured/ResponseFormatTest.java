package dev.canopy.pipeline.structured;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.TestModels;
import dev.canopy.pipeline.Canopy;
import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.SharedSpark;
import dev.canopy.pipeline.engine.EngineAdapterFactory;
import dev.canopy.pipeline.engine.EngineSettings;
import dev.canopy.pipeline.input.OpenAiBatchInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenAI batch rows with {@code response_format}: json_schema and json_object constrain their row, text and
 * no value leave it free, a bad format or an unsupported schema fails only its row.
 */
class ResponseFormatTest {

    private final SparkSession spark = SharedSpark.session();

    @TempDir
    Path dir;

    private static String request(String id, String prompt, String responseFormat) {
        return "{\"custom_id\": \"" + id + "\", \"method\": \"POST\", \"url\": \"/v1/completions\", \"body\": {"
                + "\"prompt\": \"" + prompt + "\", \"max_tokens\": 60"
                + (responseFormat == null ? "" : ", \"response_format\": " + responseFormat) + "}}";
    }

    @Test
    void eachRowIsConstrainedByItsOwnResponseFormat() throws Exception {
        Path input = dir.resolve("requests.jsonl");
        Files.write(input, List.of(
                request("enum", "Once upon a time", "{\"type\": \"json_schema\", \"json_schema\": {\"name\": \"mood\","
                        + " \"strict\": true, \"schema\": {\"type\": \"object\", \"additionalProperties\": false,"
                        + " \"required\": [\"mood\"], \"properties\": {\"mood\": {\"enum\": [\"happy\", \"sad\"]}}}}}"),
                request("regex-ish", "The cat", "{\"type\": \"json_schema\", \"json_schema\": {\"schema\":"
                        + " {\"type\": \"string\", \"pattern\": \"^(yes|no)$\"}}}"),
                request("object", "Lily", "{\"type\": \"json_object\"}"),
                request("text", "Tom", "{\"type\": \"text\"}"),
                request("free", "Tom", null),
                request("bad", "Tom", "{\"type\": \"xml\"}"),
                request("unsupported", "Tom", "{\"type\": \"json_schema\", \"json_schema\": {\"schema\":"
                        + " {\"type\": \"array\", \"uniqueItems\": true}}}")));
        GenerateOptions options = GenerateOptions.of(new EngineAdapterFactory(TestModels.stories260kF32().toString(),
                EngineSettings.defaults().withKvBudgetBytes(32L << 20))).withIdColumn(OpenAiBatchInput.ID_COLUMN);

        Map<String, Row> out = new HashMap<>();
        for (Row r : Canopy.generate(OpenAiBatchInput.read(spark, input.toString()), options).collectAsList()) {
            out.put(r.getAs(OpenAiBatchInput.ID_COLUMN), r);
        }

        assertThat(out.get("enum").<String>getAs("generated_text")).isIn("{\"mood\":\"happy\"}", "{\"mood\":\"sad\"}");
        assertThat(out.get("regex-ish").<String>getAs("generated_text")).isIn("\"yes\"", "\"no\"");
        Row object = out.get("object");
        if (object.getAs("error") == null) {
            assertThat(object.<String>getAs("generated_text")).startsWith("{").endsWith("}");
        } else {
            assertThat(object.<String>getAs("error")).contains("the value is incomplete");
        }
        assertThat(out.get("text").<String>getAs("error")).isNull();
        assertThat(out.get("free").<String>getAs("error")).isNull();
        assertThat(out.get("bad").<String>getAs("error")).contains("response_format.type").contains("'xml'");
        assertThat(out.get("unsupported").<String>getAs("error")).contains("uniqueItems");
    }
}
