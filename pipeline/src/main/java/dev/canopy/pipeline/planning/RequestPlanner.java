package dev.canopy.pipeline.planning;

import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.prefixtree.BatchPlanner;
import dev.canopy.prefixtree.CostModel;
import dev.canopy.prefixtree.EngineLimits;
import dev.canopy.prefixtree.HardwareProfile;
import dev.canopy.prefixtree.Plan;
import dev.canopy.prefixtree.PlanPolicy;
import dev.canopy.prefixtree.PrefillPacing;
import dev.canopy.prefixtree.Request;
import java.util.ArrayList;
import java.util.List;

/**
 * Plans the order in which an engine runs a job's prompts: prefix groups together, decode-heavy work
 * early, blended for the hardware (see {@link PlanPolicy#CANOPY}). Pure planning: tokens in, an order
 * out.
 */
public final class RequestPlanner {

    /** Above this many requests the full Canopy policy (three simulations) is replaced by BatchLLM's. */
    public static final int CANOPY_POLICY_LIMIT = 200_000;

    private final CostModel cost;
    private final EngineLimits limits;

    public RequestPlanner(Model model, EngineConfig config, HardwareProfile hardware) {
        this.cost = new CostModel(ModelShapes.of(model, config), hardware);
        this.limits = new EngineLimits(config.maxSeqs(), config.maxBatchTokens(), config.blockSize(),
                PrefillPacing.FILL_BUDGET);
    }

    public CostModel cost() {
        return cost;
    }

    public EngineLimits limits() {
        return limits;
    }

    /** Planner requests for prompts (token ids) with their {@code max_tokens}. */
    public static List<Request> requests(List<int[]> prompts, int[] maxTokens) {
        List<Request> out = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            int[] p = prompts.get(i).length == 0 ? new int[] {0} : prompts.get(i);
            out.add(Request.of(i, p, Math.max(1, maxTokens[i])));
        }
        return out;
    }

    /**
     * The generated tokens to plan for a request: {@code max_tokens} over its n samples, but never past the context,
     * which the engine never fills beyond. So a huge {@code max_tokens} or {@code n} neither overflows nor makes the
     * planner simulate, or reserve KV blocks for, tokens that cannot exist.
     */
    public static int plannedOutput(int promptTokens, SamplingParams params, int contextLength) {
        int room = Math.max(1, contextLength - promptTokens);
        return (int) Math.min(room, (long) params.maxTokens() * params.n());
    }

    /** The plan for {@code requests} under {@code policy}. */
    public Plan plan(List<Request> requests, PlanPolicy policy) {
        PlanPolicy p = policy == PlanPolicy.CANOPY && requests.size() > CANOPY_POLICY_LIMIT ? PlanPolicy.BATCHLLM : policy;
        return new BatchPlanner(cost, limits).plan(requests, p);
    }
}
