package dev.canopy.pipeline.generate;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.sample.SamplingParamsParser;

/**
 * {@link SamplingParams} as plain serializable fields, so that sampling defaults travel to executors with a
 * task; {@link #params()} rebuilds the same params there.
 */
public final class SamplingFields implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LinkedHashMap<String, Object> fields; // parser field name -> Integer, Long, Double, Boolean, List

    private SamplingFields(LinkedHashMap<String, Object> fields) {
        this.fields = fields;
    }

    /** The fields of {@code params}, in the parser's names. */
    public static SamplingFields of(SamplingParams params) {
        LinkedHashMap<String, Object> f = new LinkedHashMap<>();
        f.put("max_tokens", params.maxTokens());
        f.put("temperature", params.temperature());
        f.put("top_k", params.topK());
        f.put("top_p", params.topP());
        f.put("min_p", params.minP());
        f.put("seed", params.seed());
        f.put("stop", List.copyOf(params.stop()));
        f.put("stop_token_ids", Arrays.stream(params.stopTokenIds()).boxed().toList());
        f.put("ignore_eos", params.ignoreEos());
        f.put("presence_penalty", params.presencePenalty());
        f.put("frequency_penalty", params.frequencyPenalty());
        f.put("repetition_penalty", params.repetitionPenalty());
        f.put("n", params.n());
        params.logprobs().ifPresent(k -> f.put("logprobs", k));
        return new SamplingFields(f);
    }

    /** The params these fields describe. */
    public SamplingParams params() {
        return SamplingParamsParser.parse(fields, SamplingParams.builder().build());
    }

    /** These fields as a JSON object, in the parser's names: a compact per-row form for a Spark column. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(fields);
        } catch (JacksonException e) {
            throw new IllegalStateException("Cannot write sampling fields " + fields + " as JSON", e);
        }
    }

    /** The fields {@link #toJson()} wrote. */
    public static SamplingFields fromJson(String json) {
        try {
            return new SamplingFields(JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { }));
        } catch (JacksonException e) {
            throw new IllegalArgumentException("Cannot read sampling fields: not the JSON object toJson writes: "
                    + json, e);
        }
    }

    /** The fields by name (a copy). */
    public Map<String, Object> asMap() {
        return new LinkedHashMap<>(fields);
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
