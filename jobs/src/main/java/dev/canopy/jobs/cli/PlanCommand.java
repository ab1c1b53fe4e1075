package dev.canopy.jobs.cli;

import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.tokenizer.Tokenizer;
import dev.canopy.pipeline.planning.CpuCalibration;
import dev.canopy.pipeline.planning.RequestPlanner;
import dev.canopy.prefixtree.PlanSummary;
import dev.canopy.prefixtree.Plans;
import dev.canopy.prefixtree.Request;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code canopy plan}: the batch plan of a prompt file under each policy, without running the model. */
public final class PlanCommand implements Command {

    @Override
    public String name() {
        return "plan";
    }

    @Override
    public String summary() {
        return "show how the batch planner would run a prompt file (groups, prefix saving, estimated time)";
    }

    @Override
    public List<Flag> flags() {
        return EngineFlags.withEngine(List.of(EngineFlags.MODEL,
                Flag.value("input", "PROMPTS.jsonl", "the prompt file, as for generate"),
                Flag.value("max-tokens", "N", "planned output tokens of a prompt without its own max_tokens")
                        .withDefault(Integer.toString(SamplingParams.DEFAULT_MAX_TOKENS)),
                Flag.toggle("json", "print the plan summary as JSON")));
    }

    @Override
    public String notes() {
        return "The offload and GPU flags are accepted as for generate; the plan ignores them.";
    }

    @Override
    public int run(Args a, PrintStream out, PrintStream err) {
        EngineConfig config = EngineFlags.config(a);
        SamplingParams defaults = SamplingParams.DEFAULTS.toBuilder().maxTokens(a.intValue("max-tokens")).build();
        List<PromptFile.Entry> entries = PromptFile.read(Path.of(a.required("input")), defaults);
        try (Model model = Model.load(config.model())) {
            Tokenizer tok = model.tokenizer();
            List<int[]> prompts = new ArrayList<>();
            List<Integer> maxTokens = new ArrayList<>();
            for (PromptFile.Entry e : entries) {
                e.request().filter(r -> r.prompt() != null && !r.prompt().isEmpty()).ifPresent(r -> {
                    prompts.add(tok.encode(r.prompt(), tok.addBosByDefault(), false));
                    maxTokens.add(RequestPlanner.plannedOutput(prompts.getLast().length, r.params(),
                            model.config().contextLength()));
                });
            }
            if (prompts.isEmpty()) {
                throw new IllegalArgumentException("Cannot plan: " + a.required("input") + " has no usable prompt");
            }
            RequestPlanner planner = new RequestPlanner(model, config,
                    CpuCalibration.measure(config.threads(), config.kernels(), config.kvBudgetBytes()));
            List<Request> requests = RequestPlanner.requests(prompts,
                    maxTokens.stream().mapToInt(Integer::intValue).toArray());
            PlanSummary summary = Plans.summary(requests, planner.cost(), planner.limits());
            out.println(a.has("json") ? summary.toJson() : summary.toText());
        }
        return 0;
    }
}
