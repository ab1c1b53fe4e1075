package dev.canopy.executor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** The reference greedy outputs in ../shared/models (see its README for their conventions). */
public final class ReferenceOutputs {

    /** A llama.cpp reference: {@code text} is prompt + 64 greedy tokens. */
    public record LlamaCpp(String model, String prompt, String text) {}

    /** A llama2.c reference: prompt token ids (BOS included) and the sampled ids after them. */
    public record Llama2c(String prompt, int[] promptTokens, int[] generatedTokens) {}

    private ReferenceOutputs() {}

    public static List<LlamaCpp> llamaCpp() {
        List<LlamaCpp> out = new ArrayList<>();
        for (JsonNode n : lines("stories260K-greedy-llamacpp.jsonl")) {
            out.add(new LlamaCpp(n.get("model").asText(), n.get("prompt").asText(), n.get("text").asText()));
        }
        return out;
    }

    public static List<Llama2c> llama2c() {
        List<Llama2c> out = new ArrayList<>();
        for (JsonNode n : lines("stories260K-greedy-llama2c.jsonl")) {
            out.add(new Llama2c(n.get("prompt").asText(), ints(n.get("prompt_tokens")), ints(n.get("generated_tokens"))));
        }
        return out;
    }

    private static int[] ints(JsonNode arr) {
        int[] a = new int[arr.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = arr.get(i).asInt();
        }
        return a;
    }

    private static List<JsonNode> lines(String file) {
        ObjectMapper om = new ObjectMapper();
        try {
            List<JsonNode> out = new ArrayList<>();
            for (String line : Files.readAllLines(TestModels.dir().resolve(file))) {
                if (!line.isBlank()) {
                    out.add(om.readTree(line));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
