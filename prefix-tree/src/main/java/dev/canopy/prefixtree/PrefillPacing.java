package dev.canopy.prefixtree;

/** How an engine step sizes its prefill work next to the decodes it runs. */
public enum PrefillPacing {
    /** Prefill chunks fill the step's token budget (vLLM/Sarathi-style chunked prefill). */
    FILL_BUDGET,
    /**
     * While sequences are decoding, prefill only up to the step's balance point: enough tokens that
     * the step's compute time reaches its memory time (weights plus KV reads), where the extra FLOPs
     * are free. With nothing decoding, prefill fills the budget.
     */
    BALANCED
}
