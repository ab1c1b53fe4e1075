package dev.canopy.jobs.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.canopy.executor.engine.GenerationRequest;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.sample.SamplingParamsParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A JSONL prompt file: one {@code {"id": ..., "prompt": "...", <sampling fields>}} object per line.
 * A line that cannot be used becomes an {@link Entry} with an error instead of a request, so one bad
 * line never stops the run.
 */
final class PromptFile {

    /** One input line: its id (as written, or the line number) and either a request or an error. */
    record Entry(JsonNode id, Optional<GenerationRequest> request, Optional<String> error) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private PromptFile() {}

    static List<Entry> read(Path path, SamplingParams defaults) {
        List<Entry> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (!line.isBlank()) {
                    out.add(parse(line, lineNo, out.size(), defaults));
                }
            }
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IllegalArgumentException("Cannot read prompts from " + path + ": the file is not valid UTF-8");
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read prompts from " + path + ": " + e.getMessage(), e);
        }
        return out;
    }

    static Entry parse(String line, int lineNo, int index, SamplingParams defaults) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return error(new TextNode("line-" + lineNo), "line " + lineNo + " is not valid JSON: "
                    + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            return error(new TextNode("line-" + lineNo), "line " + lineNo + " is not a JSON object");
        }
        JsonNode id = node.hasNonNull("id") ? node.get("id") : new TextNode("line-" + lineNo);
        JsonNode prompt = node.get("prompt");
        if (prompt == null || prompt.isNull()) {
            return error(id, "field prompt is missing");
        }
        if (!prompt.isTextual()) {
            return error(id, "field prompt: expected a string, got " + prompt.getNodeType().name().toLowerCase());
        }
        SamplingParams params;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> fields = JSON.convertValue(node, Map.class);
            params = SamplingParamsParser.parse(fields, defaults);
        } catch (IllegalArgumentException e) {
            return error(id, e.getMessage());
        }
        // Internal ids are positions: input ids may repeat or be numbers.
        return new Entry(id, Optional.of(new GenerationRequest(Integer.toString(index), prompt.asText(), params)),
                Optional.empty());
    }

    private static Entry error(JsonNode id, String message) {
        return new Entry(id, Optional.empty(), Optional.of(message));
    }
}
