package dev.canopy.pipeline.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

import dev.canopy.executor.engine.Completion;
import dev.canopy.executor.engine.Engine;
import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.engine.GenerationRequest;
import dev.canopy.executor.engine.GenerationResult;
import dev.canopy.pipeline.generate.ChatRenderer;
import dev.canopy.pipeline.generate.ErrorKind;
import dev.canopy.pipeline.generate.GeneratedChoice;
import dev.canopy.pipeline.generate.ModelAdapter;
import dev.canopy.pipeline.generate.PartitionGenerator;
import dev.canopy.pipeline.generate.PromptRow;
import dev.canopy.pipeline.generate.PromptTokenizer;
import dev.canopy.pipeline.generate.RowError;
import dev.canopy.pipeline.generate.RowResult;
import dev.canopy.pipeline.planning.CpuCalibration;
import dev.canopy.pipeline.planning.RequestPlanner;
import dev.canopy.prefixtree.PlanPolicy;

/**
 * A Canopy {@link Engine} as the pipeline's model backend. The engine serializes concurrent generate calls and
 * keeps its prefix cache between them, so the tasks of one executor share one model and its cached prefixes.
 */
final class EngineAdapter implements ModelAdapter {

    private final Engine engine;
    private final TokenizerAdapter prompts;
    private RequestPlanner planner; // guarded by this

    EngineAdapter(Engine engine, String modelName) {
        this.engine = engine;
        this.prompts = new TokenizerAdapter(engine.model(), modelName);
    }

    @Override
    public String modelName() {
        return prompts.modelName();
    }

    @Override
    public int contextLength() {
        return prompts.contextLength();
    }

    @Override
    public OptionalInt maxCharsPerToken() {
        return prompts.maxCharsPerToken();
    }

    @Override
    public ChatRenderer chatRenderer() {
        return prompts.chatRenderer();
    }

    @Override
    public PromptTokenizer tokenizer() {
        return prompts.tokenizer();
    }

    @Override
    public PartitionGenerator generator() {
        return new PartitionGenerator() {
            @Override
            public void generate(List<PromptRow> rows, Consumer<RowResult> sink) {
                EngineAdapter.this.generate(rows, sink, tokens -> { });
            }

            @Override
            public void generate(List<PromptRow> rows, Consumer<RowResult> sink, IntConsumer generatedTokens) {
                EngineAdapter.this.generate(rows, sink, generatedTokens);
            }
        };
    }

    /** Runs the rows in the batch planner's order (prefix groups together, decode-heavy work early). */
    private void generate(List<PromptRow> rows, Consumer<RowResult> sink, IntConsumer generatedTokens) {
        List<GenerationRequest> requests = new ArrayList<>(rows.size());
        for (int i : executionOrder(rows)) {
            PromptRow row = rows.get(i);
            requests.add(GenerationRequest.ofTokens(row.rowId(), row.tokens(), row.sampling())
                    .withConstraint(row.constraint()));
        }
        engine.generate(requests, result -> sink.accept(toRowResult(result)), generatedTokens);
    }

    private int[] executionOrder(List<PromptRow> rows) {
        if (rows.size() < 2) {
            return new int[rows.size()];
        }
        List<int[]> prompts = new ArrayList<>(rows.size());
        int[] maxTokens = new int[rows.size()]; // (rows,) generated tokens a row may take, over its n samples
        for (int i = 0; i < rows.size(); i++) {
            prompts.add(rows.get(i).tokens());
            maxTokens[i] = RequestPlanner.plannedOutput(rows.get(i).tokens().length, rows.get(i).sampling(),
                    contextLength());
        }
        return planner().plan(RequestPlanner.requests(prompts, maxTokens), PlanPolicy.CANOPY).executionOrder();
    }

    /** The planner for this engine, with the CPU measured once (a fraction of a second) on first use. */
    private synchronized RequestPlanner planner() {
        if (planner == null) {
            EngineConfig c = engine.config();
            planner = new RequestPlanner(engine.model(), c, CpuCalibration.measure(c.threads(), c.kernels(),
                    c.kvBudgetBytes()));
        }
        return planner;
    }

    static RowResult toRowResult(GenerationResult result) {
        if (result.completions().isEmpty()) {
            return new RowResult.Failed(result.id(), new RowError(ErrorKind.GENERATION_FAILED,
                    result.error().orElse("Cannot generate: the engine returned no completion")),
                    result.promptTokens(), result.latencyNanos());
        }
        List<GeneratedChoice> choices = new ArrayList<>(result.completions().size());
        for (Completion c : result.completions()) {
            choices.add(new GeneratedChoice(c.text(), c.finishReason().name().toLowerCase(Locale.ROOT),
                    c.tokenIds().length));
        }
        // An error beside completions (a structured value cut by max_tokens) keeps the text and carries the error.
        return new RowResult.Generated(result.id(), choices, result.promptTokens(), result.cachedPromptTokens(),
                result.completionTokens(), result.latencyNanos(),
                result.error().map(message -> new RowError(ErrorKind.GENERATION_FAILED, message)));
    }
}
