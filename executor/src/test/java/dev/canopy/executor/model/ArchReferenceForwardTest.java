package dev.canopy.executor.model;

import dev.canopy.executor.ArchGoldens;
import dev.canopy.executor.tensor.KernelChoice;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * For every architecture, the engine's forward pass agrees with the plain double-precision
 * {@link ReferenceForward} at every position of a prompt prefilled in one step and then decoded token
 * by token, past the sliding window (8) and across blocks of 4.
 */
class ArchReferenceForwardTest {

    static final java.util.List<String> MODELS = ArchGoldens.F32_MODELS;

    @ParameterizedTest
    @FieldSource("MODELS")
    void forwardMatchesTheDoublePrecisionReference(String stem) {
        int[] tokens = {1, 403, 407, 261, 378, 432, 383, 286, 291, 376, 400, 428, 317, 269, 368, 302, 385, 328, 338,
            394, 261, 426, 495, 405};
        int prefill = 10;
        try (Model model = Model.load(ArchGoldens.model(stem));
             CpuBackend backend = new CpuBackend(model, 2, KernelChoice.JAVA, 8, 4)) {
            ReferenceForward ref = new ReferenceForward(model, tokens.length);
            float[] expected = null;
            for (int i = 0; i < prefill; i++) {
                expected = ref.next(tokens[i]);
            }
            int[] table = {0, 1, 2, 3, 4, 5, 6, 7};
            int[] head = java.util.Arrays.copyOf(tokens, prefill);
            assertClose(stem, prefill - 1, backend.forward(ForwardBatch.ofSequence(head, 0, table)), expected);
            for (int p = prefill; p < tokens.length; p++) {
                expected = ref.next(tokens[p]);
                float[] logits = backend.forward(ForwardBatch.ofSequence(new int[] {tokens[p]}, p, table));
                assertClose(stem, p, logits, expected);
            }
        }
    }

    private static void assertClose(String stem, int position, float[] logits, float[] expected) {
        ReferenceCheck.assertClose(stem + " position " + position, logits, expected, 1e-4f);
    }
}
