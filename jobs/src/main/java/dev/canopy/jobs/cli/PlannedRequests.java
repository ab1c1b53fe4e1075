package dev.canopy.jobs.cli;

import dev.canopy.executor.engine.Engine;
import dev.canopy.executor.engine.GenerationRequest;
import dev.canopy.executor.tokenizer.Tokenizer;
import dev.canopy.pipeline.planning.CpuCalibration;
import dev.canopy.pipeline.planning.RequestPlanner;
import dev.canopy.prefixtree.Plan;
import dev.canopy.prefixtree.PlanPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Tokenizes a run's prompts up front and orders them with the batch planner. */
final class PlannedRequests {

    private PlannedRequests() {}

    /** Replaces each text request by a token-id request; a prompt that cannot be tokenized becomes an error entry. */
    static List<PromptFile.Entry> tokenize(List<PromptFile.Entry> entries, Tokenizer tokenizer) {
        List<PromptFile.Entry> out = new ArrayList<>(entries.size());
        for (PromptFile.Entry e : entries) {
            if (e.request().isEmpty()) {
                out.add(e);
                continue;
            }
            GenerationRequest r = e.request().get();
            if (r.prompt() == null) {
                out.add(e);
            } else if (r.prompt().isEmpty()) {
                out.add(new PromptFile.Entry(e.id(), Optional.empty(), Optional.of("field prompt is empty")));
            } else {
                try {
                    int[] tokens = tokenizer.encode(r.prompt(), tokenizer.addBosByDefault(), false);
                    out.add(new PromptFile.Entry(e.id(), Optional.of(GenerationRequest.ofTokens(r.id(), tokens,
                            r.params())), Optional.empty()));
                } catch (RuntimeException ex) {
                    out.add(new PromptFile.Entry(e.id(), Optional.empty(),
                            Optional.of("Cannot tokenize the prompt: " + ex.getMessage())));
                }
            }
        }
        return out;
    }

    /** The requests in the order the planner gives (Canopy's policy), for token-id requests. */
    static List<GenerationRequest> order(List<GenerationRequest> requests, Engine engine) {
        if (requests.size() < 2) {
            return requests;
        }
        List<int[]> prompts = new ArrayList<>();
        int[] maxTokens = new int[requests.size()];
        for (int i = 0; i < requests.size(); i++) {
            prompts.add(requests.get(i).tokens().orElseGet(() -> new int[] {0}));
            maxTokens[i] = RequestPlanner.plannedOutput(prompts.getLast().length, requests.get(i).params(),
                    engine.model().config().contextLength());
        }
        RequestPlanner planner = new RequestPlanner(engine.model(), engine.config(),
                CpuCalibration.measure(engine.config().threads(), engine.config().kernels(),
                        engine.config().kvBudgetBytes()));
        Plan plan = planner.plan(RequestPlanner.requests(prompts, maxTokens), PlanPolicy.CANOPY);
        List<GenerationRequest> ordered = new ArrayList<>(requests.size());
        for (int i : plan.executionOrder()) {
            ordered.add(requests.get(i));
        }
        return ordered;
    }
}
