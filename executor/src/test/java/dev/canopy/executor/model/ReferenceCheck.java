package dev.canopy.executor.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.tensor.KernelChoice;

/** Assertions that the engine's forward pass agrees with {@link ReferenceForward}. */
final class ReferenceCheck {

    private ReferenceCheck() {}

    /**
     * Prefills {@code tokens} in one step on a CPU backend and compares the last logits with the reference's, each
     * within {@code relative} × the largest |logit| (+1e-5).
     */
    static void assertMatchesReference(Model model, int[] tokens, float relative) {
        ReferenceForward ref = new ReferenceForward(model, tokens.length);
        float[] expected = null;
        for (int t : tokens) {
            expected = ref.next(t);
        }
        try (CpuBackend backend = new CpuBackend(model, 2, KernelChoice.JAVA, 4, 4)) {
            float[] logits = backend.forward(ForwardBatch.ofSequence(tokens, 0, new int[] {0, 1, 2, 3}));
            assertClose("last position", logits, expected, relative);
        }
    }

    /** Every logit within {@code relative} × the largest expected |logit| (+1e-5) of the expected one. */
    static void assertClose(String what, float[] logits, float[] expected, float relative) {
        float maxAbs = 0;
        for (float f : expected) {
            maxAbs = Math.max(maxAbs, Math.abs(f));
        }
        assertThat(maxAbs).as("%s: largest |logit|", what).isGreaterThan(0.1f);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Math.abs(logits[i] - expected[i])).as("%s: logit %d", what, i)
                    .isLessThan(relative * maxAbs + 1e-5f);
        }
    }
}
