package dev.canopy.pipeline.structured;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.executor.structured.Constraint;
import java.util.Arrays;
import java.util.Optional;
import org.apache.spark.sql.Row;

/**
 * A row's OpenAI {@code response_format} (column {@value #COLUMN}, the field's JSON text):
 * {@code {"type": "json_schema", "json_schema": {"schema": {...}}}} constrains the row to the schema,
 * {@code {"type": "json_object"}} to any JSON object, {@code {"type": "text"}} (or no value) leaves it free.
 */
public final class ResponseFormat {

    /** The input column holding each row's response_format as JSON text. */
    public static final String COLUMN = "response_format";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ResponseFormat() {}

    /**
     * The constraint of {@code row}'s response_format, empty when it has none or asks for text.
     *
     * @throws IllegalArgumentException naming the field when the value is not a response_format
     */
    public static Optional<Constraint> of(Row row) {
        if (row.schema() == null || !Arrays.asList(row.schema().fieldNames()).contains(COLUMN)) {
            return Optional.empty();
        }
        int i = row.fieldIndex(COLUMN);
        if (row.isNullAt(i)) {
            return Optional.empty();
        }
        return parse(row.get(i).toString());
    }

    /** The constraint of one response_format value (JSON text). */
    public static Optional<Constraint> parse(String text) {
        JsonNode format;
        try {
            format = JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException("field response_format: Cannot read it: it is not JSON (" + text + ")");
        }
        String type = format.path("type").asText("");
        return switch (type) {
            case "text" -> Optional.empty();
            case "json_object" -> Optional.of(new Constraint.JsonObject());
            case "json_schema" -> {
                JsonNode schema = format.path("json_schema").path("schema");
                if (!schema.isObject() && !schema.isBoolean()) {
                    throw new IllegalArgumentException("field response_format.json_schema.schema: Cannot constrain"
                            + " the output: expected a JSON Schema object, found " + schema);
                }
                yield Optional.of(new Constraint.JsonSchema(schema.toString()));
            }
            default -> throw new IllegalArgumentException("field response_format.type: Cannot constrain the output"
                    + " to '" + type + "': use text, json_object or json_schema");
        };
    }
}
