package dev.canopy.executor.cuda;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.backend.BackendKind;
import dev.canopy.executor.engine.Engine;
import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.engine.EngineMetrics;
import dev.canopy.executor.engine.GenerationRequest;
import dev.canopy.executor.engine.GenerationResult;
import dev.canopy.executor.engine.offload.OffloadConfig;
import dev.canopy.executor.engine.offload.OffloadTiers;
import dev.canopy.executor.engine.offload.SwapMetrics;
import dev.canopy.executor.model.ForwardBatch;
import dev.canopy.executor.model.KvTransfer;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.offload.EvictionPolicyKind;
import dev.canopy.offload.SwapMode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KV swap copies on the GPU's copy stream: reads take the blocks as the steps before them left them although later
 * steps (kernel by kernel and as CUDA graphs) overwrite them at once; steps launched right after writes read the
 * written blocks; more copies in flight than staging slots; and the engine swapping with a small KV pool gives the
 * tokens of the unswapped run.
 */
@Tag("gpu")
class KvSwapGpuTest {

    private static final int BLOCKS = 32;
    private static final int BLOCK_SIZE = 16;
    private static final int DECODE_STEPS = 4; // a decode shape is captured as a graph the second time it is seen

    @TempDir
    Path spill;

    @BeforeEach
    void needsGpu() {
        Gpu.assume();
    }

    @Test
    void blocksRoundTripThroughAsyncCopiesWhileForwardStepsRun() {
        try (Model model = Model.load(TestModels.stories260kF32());
             CudaBackend gpu = new CudaBackend(model, CudaOptions.of(BLOCKS, BLOCK_SIZE));
             Arena arena = Arena.ofConfined()) {
            int[] prompt = tokens(model, "Once upon a time, there was a little girl named Lily. She loved to play "
                    + "outside in the sunshine with her big red ball and her little dog Max.", 40); // blocks 0..2
            int[] tableA = {0, 1, 2, 3};
            int first = GreedyRun.argmax(gpu.forward(ForwardBatch.ofSequence(prompt, 0, tableA)));
            List<byte[]> before = new ArrayList<>();
            List<MemorySegment> payloads = new ArrayList<>();
            for (int b = 0; b < 3; b++) {
                before.add(bytes(gpu, b, arena));
                payloads.add(arena.allocate(gpu.blockBytes()));
            }

            List<KvTransfer> reads = new ArrayList<>();
            for (int b = 0; b < 3; b++) {
                reads.add(gpu.readBlockAsync(b, payloads.get(b)));
            }
            float[][] reference = decode(gpu, first, prompt.length, tableA); // writes block 2 (and more) at once
            int[] other = tokens(model, "Tom and his mom went to the park to play with a big red ball.", BLOCK_SIZE + 1);
            gpu.forward(ForwardBatch.ofSequence(other, 0, new int[] {0, 1})); // overwrites block 0 at once
            for (int b = 0; b < 3; b++) {
                KvTransfer read = reads.get(b);
                assertThat(read.isDeclined()).isFalse();
                read.await();
                assertThat(read.isDone()).isTrue();
                assertThat(payloads.get(b).toArray(JAVA_BYTE)).as("block %d as the prefill left it", b)
                        .isEqualTo(before.get(b));
            }
            assertThat(bytes(gpu, 0, arena)).as("the other prompt overwrote block 0").isNotEqualTo(before.get(0));

            int[] tableB = {5, 6, 7, 8};
            for (int b = 0; b < 3; b++) {
                gpu.writeBlockAsync(tableB[b], payloads.get(b)); // not awaited: the next steps wait on the device
                payloads.get(b).fill((byte) 0);                  // the write took its payload
            }
            float[][] restored = decode(gpu, first, prompt.length, tableB);
            for (int i = 0; i < DECODE_STEPS; i++) {
                assertThat(restored[i]).as("logits of decode step %d over the written blocks", i)
                        .containsExactly(reference[i]);
            }
            assertThat(gpu.capturedGraphs()).as("decode steps ran as graphs").isPositive();
        }
    }

    @Test
    void moreCopiesInFlightThanStagingSlotsAllArrive() {
        try (Model model = Model.load(TestModels.stories260kF32());
             CudaBackend gpu = new CudaBackend(model, CudaOptions.of(BLOCKS, BLOCK_SIZE));
             Arena arena = Arena.ofConfined()) {
            int[] prompt = tokens(model, "The little dog ran to the big tree and barked at the cat.", BLOCK_SIZE + 4);
            gpu.forward(ForwardBatch.ofSequence(prompt, 0, new int[] {0, 1}));
            byte[][] expected = {bytes(gpu, 0, arena), bytes(gpu, 1, arena)};
            int copies = 3 * KvCopyStream.MAX_SLOTS;
            List<KvTransfer> reads = new ArrayList<>();
            List<MemorySegment> payloads = new ArrayList<>();
            for (int i = 0; i < copies; i++) {
                payloads.add(arena.allocate(gpu.blockBytes()));
                reads.add(gpu.readBlockAsync(i % 2, payloads.get(i)));
            }
            reads.get(0).await();
            reads.get(1).await();
            for (int i = 0; i < copies; i++) {
                gpu.writeBlockAsync(2 + i % (BLOCKS - 2), payloads.get(i % 2)); // the last write to block b: b % 2's
            }
            for (int i = copies - 1; i >= 0; i--) { // newest first: the oldest were delivered to free their slots
                reads.get(i).await();
                assertThat(payloads.get(i).toArray(JAVA_BYTE)).as("read %d", i).isEqualTo(expected[i % 2]);
            }
            for (int b = 2; b < BLOCKS; b++) {
                assertThat(bytes(gpu, b, arena)).as("block %d", b).isEqualTo(expected[b % 2]);
            }
        }
    }

    @Test
    void theEngineSwappingThroughASmallPoolGivesTheTokensOfTheUnswappedRun() {
        EngineConfig config = EngineConfig.defaults(TestModels.stories260kF32()).withBackend(BackendKind.CUDA)
                .withMaxSeqs(24).withMaxBatchTokens(64).withBlockSize(BLOCK_SIZE);
        long blockBytes = 5L * 2 * 32 * Float.BYTES * BLOCK_SIZE; // layers × (keys, values) × kvDim floats × tokens
        Run unswapped = run(config.withKvBudgetBytes(1L << 24));
        assertThat(unswapped.metrics().preemptions()).isZero();
        long smallPool = (long) Math.ceil(unswapped.metrics().peakBlocksInUse() * 0.3) * blockBytes;
        OffloadConfig hostAndDisk = new OffloadConfig(OffloadTiers.HOST_AND_DISK, 24 * blockBytes, spill, 64L << 20,
                SwapMode.ALWAYS_SWAP, EvictionPolicyKind.PLAN_AWARE);
        for (OffloadConfig offload : List.of(OffloadConfig.host(1L << 28).withPreemption(SwapMode.ALWAYS_SWAP),
                hostAndDisk)) {
            Run swapped = run(config.withKvBudgetBytes(smallPool).withOffload(offload));
            assertThat(swapped.outputs()).as("outputs swapping to %s", offload.tiers()).isEqualTo(unswapped.outputs());
            assertThat(swapped.metrics().preemptions()).isPositive();
            assertThat(swapped.swaps().blocksSwappedOut()).isPositive();
            assertThat(swapped.swaps().blocksSwappedIn()).isPositive();
        }
    }

    private record Run(List<String> outputs, EngineMetrics metrics, SwapMetrics swaps) {
    }

    private static Run run(EngineConfig config) {
        String[] openings = {"Once upon a time", "One day, a little girl named Lily", "Tom and his mom went to the park",
            "The little dog"};
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            SamplingParams p = SamplingParams.builder().temperature(i % 3 == 0 ? 0 : 0.8).topP(0.9).seed(500 + i)
                    .maxTokens(80 + 4 * (i % 4)).ignoreEos(true).build();
            requests.add(new GenerationRequest("r" + i, openings[i % openings.length], p));
        }
        try (Engine engine = Engine.open(config)) {
            assertThat(engine.backend().name()).isEqualTo("cuda:0");
            List<String> outputs = new ArrayList<>();
            for (GenerationResult r : engine.generate(requests)) {
                assertThat(r.error()).as(r.id()).isEmpty();
                outputs.add(r.id() + "|" + r.text() + "|" + Arrays.toString(r.completions().getFirst().tokenIds()));
            }
            return new Run(outputs, engine.lastRunMetrics(), engine.swapMetrics().orElse(null));
        }
    }

    /** Greedy decode steps from {@code token} at {@code position} over {@code table}; each step's logits. */
    private static float[][] decode(CudaBackend gpu, int token, int position, int[] table) {
        float[][] logits = new float[DECODE_STEPS][];
        for (int i = 0; i < DECODE_STEPS; i++) {
            logits[i] = gpu.forward(ForwardBatch.ofSequence(new int[] {token}, position + i, table));
            token = GreedyRun.argmax(logits[i]);
        }
        return logits;
    }

    /** The first {@code n} tokens of {@code text} (with BOS). */
    private static int[] tokens(Model model, String text, int n) {
        int[] all = model.tokenizer().encode(text, true, false);
        assertThat(all.length).as("tokens of %s", text).isGreaterThanOrEqualTo(n);
        return Arrays.copyOf(all, n);
    }

    private static byte[] bytes(CudaBackend gpu, int block, Arena arena) {
        MemorySegment payload = arena.allocate(gpu.blockBytes());
        assertThat(gpu.readBlock(block, payload)).isTrue();
        return payload.toArray(JAVA_BYTE);
    }
}
