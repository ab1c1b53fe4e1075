package dev.canopy.jobs.batch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads a {@link BatchConfig} from a YAML or JSON file (JSON is YAML) and applies overrides on top: keys are
 * dotted paths in the file's names ({@code sampling.max-tokens}); keys starting with {@code spark.} go to the
 * {@code spark} section as they are.
 */
public final class BatchConfigLoader {

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .build();

    private BatchConfigLoader() {}

    /**
     * The config in {@code file} (if given) with {@code overrides} applied.
     *
     * @throws ConfigException naming the file, the key and the problem
     */
    public static BatchConfig load(Optional<Path> file, Map<String, String> overrides) {
        ObjectNode root = file.map(BatchConfigLoader::read).orElseGet(JsonNodeFactory.instance::objectNode);
        for (Map.Entry<String, String> override : overrides.entrySet()) {
            set(root, override.getKey(), override.getValue());
        }
        String source = file.map(p -> "config '" + p + "'").orElse("configuration");
        try {
            return YAML.treeToValue(root, BatchConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException("Cannot read " + source + ": unknown key '" + path(e) + "'; known keys there: "
                    + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")),
                    e);
        } catch (InvalidFormatException e) {
            throw new ConfigException("Cannot read " + source + ": key '" + path(e) + "' has value '" + e.getValue()
                    + "', expected " + expected(e.getTargetType()), e);
        } catch (JsonProcessingException e) {
            throw new ConfigException("Cannot read " + source + ": " + e.getOriginalMessage(), e);
        }
    }

    private static ObjectNode read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("Cannot read config '" + file + "': no such file");
        }
        try {
            JsonNode node = YAML.readTree(file.toFile());
            if (node == null || node.isMissingNode() || node.isNull()) {
                return JsonNodeFactory.instance.objectNode();
            }
            if (!(node instanceof ObjectNode object)) {
                throw new ConfigException("Cannot read config '" + file + "': it must be a mapping of keys to values");
            }
            return object;
        } catch (IOException e) {
            throw new ConfigException("Cannot read config '" + file + "': " + e.getMessage(), e);
        }
    }

    private static void set(ObjectNode root, String key, String value) {
        if (key.startsWith("spark.")) {
            root.withObjectProperty("spark").put(key, value);
            return;
        }
        String[] parts = key.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (child != null && !(child instanceof ObjectNode)) {
                throw new ConfigException("Cannot set '" + key + "': '" + parts[i] + "' is not a section");
            }
            node = node.withObjectProperty(parts[i]);
        }
        node.put(parts[parts.length - 1], value);
    }

    /** What a value of {@code type} is written as, for an error message. */
    private static String expected(Class<?> type) {
        return type == Boolean.class || type == boolean.class ? "true or false"
                : type.getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream().map(JsonMappingException.Reference::getFieldName)
                .collect(Collectors.joining("."));
    }
}
