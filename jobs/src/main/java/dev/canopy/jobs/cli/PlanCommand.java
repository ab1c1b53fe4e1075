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
import java.util.Set;

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
    public String usage() {
        return """
                usage: canopy plan --model FILE.gguf --input PROMPTS.jsonl [--max-tokens 64] [--max-seqs 64]
                                   [--max-batch-tokens 512] [--kv-budget 1g] [--threads N]
                                   [--kernels auto|native|java] [--backend auto|cpu|cuda] [--json]
                                   [offload flags, as for generate] [--tensor-cores on|off]
                                   [--shared-prefix-attention on|off]   (accepted as for generate; the plan ignores them)""";
    }

    @Override
    public int run(String[] argv, PrintStream out, PrintStream err) {
        Args a = Args.parse(name(), argv, GpuFlags.plus(OffloadFlags.plus(Set.of("model", "input", "max-tokens",
                "max-seqs", "max-batch-tokens", "kv-budget", "threads", "kernels", "backend"))),
                Set.of("json", "no-prefix-cache"));
        EngineConfig config = GenerateCommand.engineConfig(a);
        SamplingParams defaults = SamplingParams.greedy(a.intValue("max-tokens", 64));
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
