package dev.canopy.executor.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.ArchGoldens;
import dev.canopy.executor.TestModels;
import dev.canopy.executor.tensor.KernelChoice;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A row's logits do not depend on what else is in its step: alone, next to another sequence, or
 * next to a sequence that shares its prefix blocks (the grouped, shared-block attention path); for
 * stories260K and every architecture's tiny model (positions past the sliding window of 8).
 */
class TransformerBatchInvarianceTest {

    private static final int BS = 4;
    // Two prompts that share their first 12 tokens (3 blocks of 4), then differ.
    private static final int[] A = {1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317};
    private static final int[] B = {1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 300, 301, 302, 303, 304};

    static Stream<Path> models() {
        return Stream.concat(Stream.of(TestModels.stories260kF32()), ArchGoldens.F32_MODELS.stream().map(ArchGoldens::model));
    }

    @ParameterizedTest
    @MethodSource("models")
    void rowsGiveIdenticalLogitsAloneAndBatchedWithSharedPrefixBlocks(Path file) {
        try (Model model = Model.load(file);
             CpuBackend backend = new CpuBackend(model, 2, KernelChoice.AUTO, 64, BS)) {
            int vocab = model.config().vocab();
            // Alone: A in blocks 0..3, B in blocks 10..14, each prefilled whole.
            int[] tableA = {0, 1, 2, 3};
            int[] tableB = {10, 11, 12, 13, 14};
            float[] aloneA = backend.forward(ForwardBatch.ofSequence(A, 0, tableA));
            float[] aloneB = backend.forward(ForwardBatch.ofSequence(B, 0, tableB));

            // Shared: the common 12-token prefix once in blocks 20..22, then both suffixes in one step.
            int[] sharedA = {20, 21, 22, 23};
            int[] sharedB = {20, 21, 22, 24, 25};
            backend.forward(ForwardBatch.ofSequence(Arrays.copyOf(A, 12), 0, sharedA));
            int na = A.length - 12;
            int nb = B.length - 12;
            int[] tokens = new int[na + nb];
            int[] pos = new int[na + nb];
            int[] seq = new int[na + nb];
            for (int i = 0; i < na; i++) {
                tokens[i] = A[12 + i];
                pos[i] = 12 + i;
            }
            for (int i = 0; i < nb; i++) {
                tokens[na + i] = B[12 + i];
                pos[na + i] = 12 + i;
                seq[na + i] = 1;
            }
            float[] both = backend.forward(new ForwardBatch(tokens, pos, seq, new int[][] {sharedA, sharedB},
                    new int[] {na - 1, na + nb - 1}));

            assertThat(Arrays.copyOfRange(both, 0, vocab)).containsExactly(aloneA);
            assertThat(Arrays.copyOfRange(both, vocab, 2 * vocab)).containsExactly(aloneB);
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void decodeRowGivesIdenticalLogitsAtAnyBatchSize(Path file) {
        try (Model model = Model.load(file);
             CpuBackend backend = new CpuBackend(model, 2, KernelChoice.AUTO, 64, BS)) {
            int vocab = model.config().vocab();
            int[] table = {0, 1, 2, 3, 4};
            backend.forward(ForwardBatch.ofSequence(Arrays.copyOf(A, 14), 0, table));
            float[] alone = backend.forward(ForwardBatch.ofSequence(new int[] {A[14]}, 14, table));
            // Same decode row, now behind 9 unrelated prefill rows of another sequence.
            int[] other = {30, 31, 32};
            int[] tokens = {5, 6, 7, 8, 9, 10, 11, 12, 13, A[14]};
            int[] pos = {0, 1, 2, 3, 4, 5, 6, 7, 8, 14};
            int[] seq = {1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
            float[] batched = backend.forward(new ForwardBatch(tokens, pos, seq, new int[][] {table, other},
                    new int[] {8, 9}));
            assertThat(Arrays.copyOfRange(batched, vocab, 2 * vocab)).containsExactly(alone);
        }
    }
}
