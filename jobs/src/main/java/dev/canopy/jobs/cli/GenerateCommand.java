package dev.canopy.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.canopy.executor.backend.BackendKind;
import dev.canopy.executor.engine.Completion;
import dev.canopy.executor.engine.Engine;
import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.engine.GenerationRequest;
import dev.canopy.executor.engine.GenerationResult;
import dev.canopy.executor.sample.SampledToken;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.sample.TokenLogprob;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** {@code canopy generate}: completions for one prompt or a JSONL file of prompts, batched. */
public final class GenerateCommand implements Command {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The sampling defaults, every entry point's: the batch job and this command generate the same by default. */
    private static final SamplingParams SAMPLING = SamplingParams.DEFAULTS;

    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String summary() {
        return "generate completions for --prompt TEXT or a JSONL file of prompts (batched)";
    }

    @Override
    public List<Flag> flags() {
        return EngineFlags.withEngine(List.of(EngineFlags.MODEL,
                Flag.value("prompt", "TEXT", "one prompt (give this or --input)"),
                Flag.value("input", "PROMPTS.jsonl", "a JSONL file of prompts, one object a line (below)"),
                Flag.value("output", "OUT.jsonl", "where the result lines go (default: stdout)"),
                Flag.value("max-tokens", "N", "most tokens to generate per prompt")
                        .withDefault(Integer.toString(SAMPLING.maxTokens())),
                Flag.value("temperature", "T", "sampling temperature; 0 is greedy")
                        .withDefault(number(SAMPLING.temperature())),
                Flag.value("top-k", "K", "sample among the K likeliest tokens; 0: all")
                        .withDefault(Integer.toString(SAMPLING.topK())),
                Flag.value("top-p", "P", "sample within the smallest set of tokens of probability P")
                        .withDefault(number(SAMPLING.topP())),
                Flag.value("min-p", "P", "drop tokens less likely than P times the likeliest")
                        .withDefault(number(SAMPLING.minP())),
                Flag.value("seed", "S", "random seed; a row's output depends only on it, not on its batch")
                        .withDefault(Long.toString(SAMPLING.seed())),
                Flag.value("stop", "TEXT", "stop a completion at this text (repeatable)").repeated(),
                Flag.value("order", "planned|input", "planned: prefix groups run together, by the batch planner; "
                        + "input: in file order").withDefault("planned"),
                EngineFlags.MAX_OUTPUT_BYTES,
                Flag.toggle("metrics", "print the engine's metrics on stderr at the end")));
    }

    private static String number(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    @Override
    public String notes() {
        return """
                input lines: {"id": ..., "prompt": "...", and optionally max_tokens, temperature, top_k, top_p,
                              min_p, seed, stop, n, logprobs, presence_penalty, frequency_penalty,
                              repetition_penalty, stop_token_ids, ignore_eos}, which override the flags
                output lines: {"id", "text", "prompt_tokens", "completion_tokens", "finish_reason"}
                              (+ "choices" when n > 1, "logprobs" when asked), or {"id", "error"}""";
    }

    @Override
    public int run(Args a, PrintStream out, PrintStream err) {
        String order = a.required("order");
        if (!order.equals("planned") && !order.equals("input")) {
            throw new UsageException("canopy generate: --order must be planned or input, got '" + order + "'");
        }
        if (a.has("prompt") == a.has("input")) {
            throw new UsageException("canopy generate: give exactly one of --prompt TEXT or --input FILE");
        }
        SamplingParams defaults = sampling(a);
        EngineConfig config = EngineFlags.config(a);
        List<PromptFile.Entry> input = a.has("prompt")
                ? List.of(new PromptFile.Entry(new TextNode("prompt"),
                        Optional.of(new GenerationRequest("0", a.required("prompt"), defaults)), Optional.empty()))
                : PromptFile.read(Path.of(a.required("input")), defaults);
        try (Engine engine = Engine.open(config); Writer w = writer(a, out)) {
            List<PromptFile.Entry> entries = PlannedRequests.tokenize(input, engine.tokenizer());
            List<GenerationRequest> requests = new ArrayList<>(); // request ids are entry indices
            for (PromptFile.Entry e : entries) {
                e.request().ifPresent(requests::add);
            }
            if (order.equals("planned")) {
                requests = PlannedRequests.order(requests, engine);
            }
            long maxOutputTokens = requests.stream().mapToLong(r -> (long) r.params().maxTokens() * r.params().n()).sum();
            TerminalProgress progress = new TerminalProgress(err, requests.size(), maxOutputTokens,
                    TerminalProgress.stderrIsTerminal());
            OrderedLines lines = new OrderedLines(entries.size(), w);
            for (int i = 0; i < entries.size(); i++) {
                if (entries.get(i).error().isPresent()) {
                    lines.put(i, errorLine(entries.get(i)));
                }
            }
            engine.generate(requests, result -> {
                int entry = Integer.parseInt(result.id());
                lines.put(entry, resultLine(entries.get(entry), result));
                progress.update(result.completionTokens(), result.promptTokens(), result.cachedPromptTokens());
            });
            progress.finish();
            if (a.has("metrics")) {
                err.println("metrics: " + engine.metrics());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write output: " + e.getMessage(), e);
        }
        return 0;
    }

    /**
     * The sampling the flags give every prompt without its own values: the one mapping from the sampling flags to
     * {@link SamplingParams}, on {@link SamplingParams#DEFAULTS} (the flags' declared defaults are its values).
     *
     * @throws UsageException naming a value the sampler refuses
     */
    public static SamplingParams sampling(Args a) {
        try {
            return SAMPLING.toBuilder()
                    .maxTokens(a.intValue("max-tokens"))
                    .temperature(a.doubleValue("temperature"))
                    .topK(a.intValue("top-k"))
                    .topP(a.doubleValue("top-p"))
                    .minP(a.doubleValue("min-p"))
                    .seed(a.longValue("seed"))
                    .stop(a.all("stop"))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new UsageException("canopy generate: " + e.getMessage());
        }
    }

    private static Writer writer(Args a, PrintStream out) throws IOException {
        if (a.has("output")) {
            return Files.newBufferedWriter(Path.of(a.required("output")), StandardCharsets.UTF_8);
        }
        return new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
            @Override
            public void close() throws IOException {
                flush(); // do not close stdout
            }
        };
    }

    private static ObjectNode errorLine(PromptFile.Entry e) {
        ObjectNode o = JSON.createObjectNode();
        o.set("id", e.id());
        o.put("error", e.error().orElseThrow());
        return o;
    }

    static ObjectNode resultLine(PromptFile.Entry e, GenerationResult r) {
        ObjectNode o = JSON.createObjectNode();
        o.set("id", e.id());
        if (r.completions().isEmpty()) {
            o.put("error", r.error().orElse("failed"));
            o.put("prompt_tokens", r.promptTokens());
            return o;
        }
        o.put("text", r.text());
        o.put("prompt_tokens", r.promptTokens());
        o.put("completion_tokens", r.completionTokens());
        o.put("finish_reason", r.finishReason().name().toLowerCase(Locale.ROOT));
        if (r.completions().size() > 1) {
            ArrayNode choices = o.putArray("choices");
            for (Completion c : r.completions()) {
                ObjectNode ch = choices.addObject();
                ch.put("index", c.index());
                ch.put("text", c.text());
                ch.put("finish_reason", c.finishReason().name().toLowerCase(Locale.ROOT));
                putLogprobs(ch, c);
            }
        } else {
            putLogprobs(o, r.completions().get(0));
        }
        r.error().ifPresent(msg -> o.put("error", msg));
        return o;
    }

    private static void putLogprobs(ObjectNode o, Completion c) {
        if (c.logprobs().isEmpty()) {
            return;
        }
        ArrayNode arr = o.putArray("logprobs");
        for (SampledToken t : c.logprobs()) {
            ObjectNode n = arr.addObject();
            n.put("token", t.tokenId());
            t.logprob().ifPresent(lp -> n.put("logprob", lp));
            ArrayNode top = n.putArray("top");
            for (TokenLogprob alt : t.topLogprobs()) {
                top.addObject().put("token", alt.tokenId()).put("logprob", alt.logprob());
            }
        }
    }
}
