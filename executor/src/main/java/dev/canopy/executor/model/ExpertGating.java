package dev.canopy.executor.model;

/** How a router's logits choose the experts of a token and weigh their outputs. */
public enum ExpertGating {
    /** Softmax over all experts, the top k by probability, their probabilities renormalized to sum 1 (Mixtral, qwen3moe). */
    SOFTMAX_TOP_K_NORMALIZED,
    /** The top k by raw logit, weighed by a softmax over just those k logits (gpt-oss). */
    TOP_K_SOFTMAX;

    /**
     * Chooses {@code chosen.length} experts from {@code logits[off .. off + experts)}: their ids into
     * {@code chosen} (best first, ties to the lower id) and their weights into {@code weights}.
     */
    void route(float[] logits, int off, int experts, int[] chosen, float[] weights) {
        float[] score = new float[experts]; // (experts) what the top k ranks
        System.arraycopy(logits, off, score, 0, experts);
        if (this == SOFTMAX_TOP_K_NORMALIZED) {
            softmax(score, experts);
        }
        boolean[] taken = new boolean[experts];
        for (int k = 0; k < chosen.length; k++) {
            int best = -1;
            for (int e = 0; e < experts; e++) {
                if (!taken[e] && (best < 0 || score[e] > score[best])) {
                    best = e;
                }
            }
            taken[best] = true;
            chosen[k] = best;
            weights[k] = score[best];
        }
        if (this == TOP_K_SOFTMAX) {
            softmax(weights, weights.length);
        } else {
            float sum = 0f;
            for (float w : weights) {
                sum += w;
            }
            for (int k = 0; k < weights.length; k++) {
                weights[k] /= sum;
            }
        }
    }

    private static void softmax(float[] x, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[i]);
        }
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.exp(x[i] - max);
            sum += x[i];
        }
        for (int i = 0; i < n; i++) {
            x[i] /= sum;
        }
    }
}
