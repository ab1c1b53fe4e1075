package dev.canopy.executor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * llama.cpp's greedy generations for the tiny random-weight models of each architecture in
 * {@code ../shared/models/arch/}, kept in {@code src/test/resources/arch-goldens/} with the scripts that made
 * them ({@code make_models.py} wrote the models, {@code reference.mjs} ran llama.cpp; see README-models.md there).
 */
public final class ArchGoldens {

    /** The F32 models, one per architecture, by file stem. */
    public static final List<String> F32_MODELS = List.of("qwen3-tiny-f32", "qwen3moe-tiny-f32", "llama-moe-tiny-f32",
            "gemma2-tiny-f32", "gemma3-tiny-f32", "phi3-tiny-f32", "gpt-oss-tiny-f32");

    /**
     * One golden generation.
     *
     * @param promptTokens    BOS then the prompt's tokens
     * @param generatedTokens the 32 greedy ids
     * @param top5            per generated step, the 5 best (id, logit) as {@code [step][rank] = {id, logit}}
     */
    public record Generation(String prompt, int[] promptTokens, int[] generatedTokens, double[][][] top5) {}

    private ArchGoldens() {}

    public static Path model(String stem) {
        return TestModels.dir().resolve("arch").resolve(stem + ".gguf");
    }

    public static List<Generation> generations(String stem) {
        ObjectMapper om = new ObjectMapper();
        String resource = "/arch-goldens/" + stem + ".jsonl";
        try (InputStream in = ArchGoldens.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Cannot read goldens: no test resource " + resource);
            }
            List<Generation> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    out.add(parse(om.readTree(line)));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Generation parse(JsonNode n) {
        JsonNode top = n.get("top5");
        double[][][] top5 = new double[top.size()][][];
        for (int s = 0; s < top5.length; s++) {
            top5[s] = new double[top.get(s).size()][];
            for (int r = 0; r < top5[s].length; r++) {
                top5[s][r] = new double[] {top.get(s).get(r).get(0).asInt(), top.get(s).get(r).get(1).asDouble()};
            }
        }
        return new Generation(n.get("prompt").asText(), ints(n.get("prompt_tokens")), ints(n.get("generated_tokens")),
                top5);
    }

    private static int[] ints(JsonNode arr) {
        int[] a = new int[arr.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = arr.get(i).asInt();
        }
        return a;
    }
}
