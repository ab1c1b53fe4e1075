package dev.canopy.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.gguf.GgufTensorInfo;
import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.model.ActiveWeights;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.model.ModelConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/** {@code canopy inspect}: what a model file holds, without running it. */
public final class InspectCommand implements Command {

    @Override
    public String name() {
        return "inspect";
    }

    @Override
    public String summary() {
        return "show a GGUF model's architecture, dimensions, tensor types and sizes";
    }

    @Override
    public List<Flag> flags() {
        return List.of(EngineFlags.MODEL, Flag.toggle("json", "print the report as JSON"));
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) {
        Path path = Path.of(args.required("model"));
        try (Model model = Model.load(path)) {
            Map<String, Object> report = report(model);
            if (args.has("json")) {
                out.println(json(report));
            } else {
                printText(report, out);
            }
        }
        return 0;
    }

    static Map<String, Object> report(Model model) {
        ModelConfig c = model.config();
        Map<String, Map<String, Long>> byType = new TreeMap<>();
        long params = 0;
        long bytes = 0;
        for (GgufTensorInfo t : model.file().tensorInfos().values()) {
            Map<String, Long> e = byType.computeIfAbsent(t.type().name(), k -> new LinkedHashMap<>());
            e.merge("tensors", 1L, Long::sum);
            e.merge("elements", t.elementCount(), Long::sum);
            e.merge("bytes", t.byteSize(), Long::sum);
            params += t.elementCount();
            bytes += t.byteSize();
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("file", model.path().toString());
        r.put("file_bytes", model.file().fileSize());
        r.put("gguf_version", model.file().version());
        r.put("architecture", c.architecture());
        r.put("name", model.file().metadata().getStringOpt("general.name").orElse(""));
        r.put("dim", c.dim());
        r.put("layers", c.layers());
        r.put("heads", c.heads());
        r.put("kv_heads", c.kvHeads());
        r.put("head_dim", c.headDim());
        r.put("ffn", c.ffn());
        r.put("vocab", c.vocab());
        r.put("context_length", c.contextLength());
        r.put("rope_theta", c.ropeTheta());
        r.put("rope_dim", c.ropeDim());
        r.put("rms_eps", c.rmsEps());
        r.put("parameters", params);
        r.put("tensor_bytes", bytes);
        ActiveWeights active = ActiveWeights.of(c, model.file().tensorInfos().values());
        r.put("active_parameters_per_token", active.activeParameters());
        r.put("active_bytes_per_token", active.activeBytes());
        c.features().moe().ifPresent(m -> r.put("experts", orderedMap("count", m.experts(), "used", m.used(),
                "ffn", m.expertFfn(), "gating", m.gating().name().toLowerCase(java.util.Locale.ROOT))));
        c.features().window().ifPresent(w -> r.put("sliding_window", orderedMap("tokens", w.size(),
                "local_layers", IntStream.range(0, c.layers()).filter(w::isLocal).count(),
                "local_rope_theta", w.localRopeTheta())));
        r.put("tensors_by_type", byType);
        Map<String, Long> kv = new LinkedHashMap<>();
        for (KvCacheType type : KvCacheType.values()) {
            kv.put(type.label(), type.bytesPerToken(c, EngineConfig.DEFAULT_BLOCK_SIZE));
        }
        r.put("kv_bytes_per_token", kv); // in the default blocks of 16 tokens (4-bit keys' ranges are per block)
        r.put("kv_bytes_at_context_windowed", kvBytesAtContext(c)); // f32, one context-length sequence
        r.put("tokenizer", model.file().metadata().getStringOpt("tokenizer.ggml.model").orElse("none"));
        r.put("tokenizer_vocab", model.tokenizer().vocabSize());
        return r;
    }

    private static Map<String, Object> orderedMap(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    /**
     * F32 KV bytes of one sequence of the full context length when local layers keep only their window: global
     * layers hold every token, local ones at most the window.
     */
    static long kvBytesAtContext(ModelConfig c) {
        long perLayerToken = 2L * c.kvDim() * Float.BYTES;
        long total = 0;
        for (int l = 0; l < c.layers(); l++) {
            int tokens = c.features().isLocal(l)
                    ? Math.min(c.contextLength(), c.features().window().get().size()) : c.contextLength();
            total += perLayerToken * tokens;
        }
        return total;
    }

    static String json(Object value) {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("Cannot write JSON: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static void printText(Map<String, Object> r, PrintStream out) {
        out.printf("model        %s (%s, GGUF v%s, %,d bytes)%n", r.get("file"), r.get("name"), r.get("gguf_version"),
                (Long) r.get("file_bytes"));
        out.printf("architecture %s: dim %s, %s layers, %s heads (%s KV heads, head dim %s), ffn %s, vocab %s%n",
                r.get("architecture"), r.get("dim"), r.get("layers"), r.get("heads"), r.get("kv_heads"),
                r.get("head_dim"), r.get("ffn"), r.get("vocab"));
        out.printf("context      %s tokens, rope theta %s over %s dims, rms eps %s%n", r.get("context_length"),
                r.get("rope_theta"), r.get("rope_dim"), r.get("rms_eps"));
        out.printf("parameters   %,d (%,d bytes of tensors); per token %,d active (%,d bytes)%n",
                (Long) r.get("parameters"), (Long) r.get("tensor_bytes"), (Long) r.get("active_parameters_per_token"),
                (Long) r.get("active_bytes_per_token"));
        if (r.containsKey("experts")) {
            out.printf("experts      %s%n", r.get("experts"));
        }
        if (r.containsKey("sliding_window")) {
            out.printf("window       %s%n", r.get("sliding_window"));
        }
        for (Map.Entry<String, Map<String, Long>> e : ((Map<String, Map<String, Long>>) r.get("tensors_by_type")).entrySet()) {
            out.printf("  %-6s %4d tensors %,14d elements %,14d bytes%n", e.getKey(), e.getValue().get("tensors"),
                    e.getValue().get("elements"), e.getValue().get("bytes"));
        }
        Map<String, Long> kv = (Map<String, Long>) r.get("kv_bytes_per_token");
        out.printf("KV cache     %,d bytes per token (f32), %,d (q8), %,d (q4, blocks of %d)%n", kv.get("f32"),
                kv.get("q8"), kv.get("q4"), EngineConfig.DEFAULT_BLOCK_SIZE);
        out.printf("KV/sequence  %,d bytes (f32, %s tokens, local layers holding only their window)%n",
                (Long) r.get("kv_bytes_at_context_windowed"), r.get("context_length"));
        out.printf("tokenizer    %s, %s tokens%n", r.get("tokenizer"), r.get("tokenizer_vocab"));
    }
}
