package dev.canopy.executor.model;

import dev.canopy.executor.tensor.FloatOps;

/** The activation of a gated FFN: {@code gate[i] = act(gate[i], up[i])}, whose result goes to the down projection. */
public enum FfnActivation {
    /** SwiGLU: silu(g)·u (Llama, Qwen, Phi-3). */
    SILU,
    /** GeGLU with the tanh approximation of GELU: gelu_tanh(g)·u (Gemma). */
    GELU_TANH,
    /** gpt-oss's clamped SwiGLU: g' = min(g, 7), u' = clamp(u, −7, 7), g'·sigmoid(1.702·g')·(u' + 1). */
    SWIGLU_OAI;

    private static final float OAI_ALPHA = 1.702f;
    private static final float OAI_LIMIT = 7f;
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    /** In place over {@code n} elements: {@code gate[off + i] = act(gate[off + i], up[off + i])}. */
    void apply(float[] gate, float[] up, int off, int n) {
        switch (this) {
            case SILU -> FloatOps.siluMul(gate, off, up, off, n);
            case GELU_TANH -> {
                for (int i = off; i < off + n; i++) {
                    float g = gate[i];
                    float gelu = (float) (0.5 * g * (1 + Math.tanh(SQRT_2_OVER_PI * (g + 0.044715 * g * g * g))));
                    gate[i] = gelu * up[i];
                }
            }
            case SWIGLU_OAI -> {
                for (int i = off; i < off + n; i++) {
                    float g = Math.min(gate[i], OAI_LIMIT);
                    float u = Math.clamp(up[i], -OAI_LIMIT, OAI_LIMIT);
                    gate[i] = (float) (g / (1 + Math.exp(-OAI_ALPHA * g))) * (u + 1);
                }
            }
        }
    }
}
