package dev.canopy.prefixtree;

/** How a {@link BatchPlanner} orders a job's requests. */
public enum PlanPolicy {
    /** Input order, cut into groups that fit the KV budget: the baseline. */
    FCFS,
    /** Depth-first order of the prefix tree (children by first token): maximal prefix sharing. */
    PREFIX_SORT,
    /** BatchLLM: prefix groups scheduled whole, decode-heavy groups (output/prompt ratio) first. */
    BATCHLLM,
    /**
     * Canopy's blend: prefix groups ordered by compute density (BlendServe), consumed from the
     * memory-heavy and compute-heavy ends at once so each stretch of the plan keeps the job's overall
     * compute-to-memory ratio, starting with decode-heavy requests.
     */
    BLEND,
    /**
     * Canopy's planner: the blend, guarded. It simulates the {@link #BLEND}, {@link #BATCHLLM} and
     * {@link #PREFIX_SORT} plans with the estimated output lengths and keeps the fastest, so blending
     * is used where it pays (mixed compute- and memory-bound work) and never costs against prefix sort.
     */
    CANOPY
}
