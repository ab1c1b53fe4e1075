package dev.canopy.executor.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The real {@code tokenizer.json} files and the reference ids in {@code src/test/resources/tokenizer-json}
 * (written by {@code make_reference.cjs} with {@code @lenml/tokenizers}, a fork of transformers.js).
 */
final class HfReferenceTokenizers {

    static final List<String> NAMES = List.of("llama3", "llama3_1", "qwen3", "gemma3", "deepseek_v3", "gpt4o");

    /** One corpus line and its reference ids. */
    record Line(String text, int[] withSpecial, int[] withoutSpecial) {}

    private HfReferenceTokenizers() {}

    static Path resource(String name) {
        try {
            return Path.of(HfReferenceTokenizers.class.getResource("/tokenizer-json/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("Cannot find test resource tokenizer-json/" + name, e);
        }
    }

    private static final Map<String, HfTokenizer> LOADED = new ConcurrentHashMap<>(); // loading gemma3 takes seconds

    static HfTokenizer load(String name) {
        return LOADED.computeIfAbsent(name, n -> HfTokenizerLoader.load(resource(n + ".tokenizer.json.gz"),
                Optional.of(resource(n + ".tokenizer_config.json"))));
    }

    static List<Line> expected(String name) {
        JsonNode root = HfTokenizerLoader.readJson(resource(name + ".expected.json"));
        List<Line> lines = new ArrayList<>();
        for (JsonNode line : root.get("lines")) {
            lines.add(new Line(line.get("text").textValue(), ids(line.get("withSpecial")), ids(line.get("withoutSpecial"))));
        }
        return lines;
    }

    private static int[] ids(JsonNode array) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = array.get(i).intValue();
        }
        return ids;
    }
}
