package dev.canopy.executor.kv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.ArchGoldens;
import dev.canopy.executor.model.CpuBackend;
import dev.canopy.executor.model.ForwardBatch;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.tensor.KernelChoice;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sliding-window models decoded greedily with their local layers' KV in a pool of their own, from which every
 * block the next query can no longer see goes back before each step: llama.cpp's 32 tokens for every prompt (each
 * run twice in a row, so with the prefix cache on the second run starts from blocks cached in both pools), while each
 * sequence holds at most its window (8 tokens) and one block of local KV, in blocks of 4 tokens, and all of its
 * global KV.
 */
class WindowedKvGoldenTest {

    private static final int BLOCK_SIZE = 4;

    static Stream<Arguments> windowedModels() {
        return Stream.of("gemma2-tiny-f32", "gemma3-tiny-f32", "gpt-oss-tiny-f32")
                .flatMap(m -> Stream.of(Arguments.of(m, true), Arguments.of(m, false)));
    }

    @ParameterizedTest(name = "{0}, prefix cache {1}")
    @MethodSource("windowedModels")
    void greedyIdsMatchLlamaCppWhileLocalLayersHoldOnlyTheirWindow(String stem, boolean prefixCaching) {
        List<ArchGoldens.Generation> refs = ArchGoldens.generations(stem);
        int localBlocks = 24; // room for a prompt and the blocks its decode passes through: a rerun finds its prefix
        try (Model model = Model.load(ArchGoldens.model(stem));
             CpuBackend backend = CpuBackend.windowed(model, 2, KernelChoice.JAVA, 64, localBlocks, BLOCK_SIZE)) {
            int window = model.config().features().window().orElseThrow().size();
            WindowedBlocks blocks = new WindowedBlocks(
                    new BlockManager(new BlockManagerConfig(64, BLOCK_SIZE, prefixCaching)),
                    new BlockManager(new BlockManagerConfig(localBlocks, BLOCK_SIZE, prefixCaching)), window);
            int cachedTokens = 0;
            for (ArchGoldens.Generation ref : refs) {
                for (int run = 0; run < 2; run++) {
                    WindowedTokenRun seq = new WindowedTokenRun(new TokenRun(ref.promptTokens()));
                    int mostLocal = 0;
                    int cached = blocks.allocate(seq);
                    seq.computed(cached); // the forward starts after the shared prefix
                    cachedTokens += cached;
                    float[] logits = step(backend, blocks, seq);
                    int[] generated = new int[ref.generatedTokens().length];
                    for (int i = 0; i < generated.length; i++) {
                        generated[i] = argmax(logits);
                        seq.append(generated[i]);
                        blocks.releaseOutOfWindow(seq);
                        logits = step(backend, blocks, seq);
                        mostLocal = Math.max(mostLocal, seq.localBlockTable().heldBlockCount());
                    }
                    assertThat(generated).as("%s run %d: %s", stem, run, ref.prompt())
                            .containsExactly(ref.generatedTokens());
                    assertThat(mostLocal).as("local blocks held while decoding")
                            .isLessThanOrEqualTo(blocks.local().blocksFor(window) + 1);
                    assertThat(seq.blockTable().heldBlockCount()).as("global blocks: the whole sequence")
                            .isEqualTo(blocks.global().blocksFor(seq.numTokens()));
                    blocks.checkInvariants();
                    blocks.free(seq);
                }
            }
            if (prefixCaching) {
                assertThat(cachedTokens).as("prompt tokens both pools shared from earlier runs").isPositive();
            } else {
                assertThat(cachedTokens).isZero();
            }
        }
    }

    /** Computes every not yet computed token of {@code seq}; returns the last one's logits. */
    private static float[] step(CpuBackend backend, WindowedBlocks blocks, WindowedTokenRun seq) {
        int from = seq.numComputedTokens();
        int n = seq.numTokens() - from;
        WindowedCopies copies = blocks.appendSlots(seq, n);
        copies.global().forEach(c -> backend.copyBlock(c.srcBlock(), c.dstBlock()));
        copies.local().forEach(c -> backend.copyLocalBlock(c.srcBlock(), c.dstBlock()));
        int[] tokens = new int[n]; // (n) the tokens to compute
        Arrays.setAll(tokens, i -> seq.tokenAt(from + i));
        ForwardBatch batch = ForwardBatch.ofSequence(tokens, from, seq.blockTable().toArray())
                .withLocalBlockTables(new int[][] {seq.localBlockTable().toArray()});
        float[] logits = backend.forward(batch);
        blocks.markComputed(seq.computed(seq.numTokens()));
        return logits;
    }

    private static int argmax(float[] logits) {
        int best = 0;
        for (int v = 1; v < logits.length; v++) {
            if (logits[v] > logits[best]) {
                best = v;
            }
        }
        return best;
    }
}
