package dev.canopy.executor.model;

/**
 * A mixture-of-experts FFN: a router picks {@code used} of {@code experts} FFNs per token.
 *
 * @param experts   number of experts per layer
 * @param used      experts each token is routed to (top-k)
 * @param expertFfn hidden width of one expert's FFN
 * @param gating    how router logits become the chosen experts' weights
 */
public record MoeSpec(int experts, int used, int expertFfn, ExpertGating gating) {

    public MoeSpec {
        if (experts <= 0 || used <= 0 || used > experts || expertFfn <= 0) {
            throw new IllegalArgumentException("Cannot build MoE spec: expected 0 < used <= experts and a positive "
                    + "expert FFN width, got experts=" + experts + " used=" + used + " expertFfn=" + expertFfn);
        }
    }
}
