package dev.canopy.executor.engine;

import dev.canopy.executor.engine.offload.OffloadConfig;
import dev.canopy.executor.engine.offload.OffloadTiers;
import dev.canopy.executor.engine.offload.SwapMetrics;
import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.offload.EvictionPolicyKind;
import dev.canopy.offload.FaultySpillFileSystem;
import dev.canopy.offload.SpillFileSystem;
import dev.canopy.offload.SwapMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Preemption by swap on the real stories260K model: with the KV pool at 30% and 10% of the working set, sequences
 * swap their KV to host memory, disk or both and back, and every output (text and token ids) is identical to the
 * unconstrained run's; disk faults (full disk, IO errors, corrupt blocks) only make sequences recompute.
 */
class EngineSwapTest {

    private static final int BLOCK_SIZE = 4;
    private static final int REQUESTS = 24;
    private static final long BYTES_PER_TOKEN = 5L * 2 * 32 * Float.BYTES; // layers × (keys, values) × kvDim floats
    private static final long BLOCK_BYTES = BYTES_PER_TOKEN * BLOCK_SIZE;

    private static List<String> reference;
    private static int workingSetBlocks;

    @TempDir
    Path spill;

    private record Outcome(List<String> outputs, EngineMetrics metrics, SwapMetrics swaps) {
    }

    @BeforeAll
    static void runUnconstrained() {
        Outcome unconstrained = run(1L << 24, OffloadConfig.none(), SpillFileSystem.FILES);
        reference = unconstrained.outputs();
        workingSetBlocks = unconstrained.metrics().peakBlocksInUse();
        assertThat(unconstrained.metrics().preemptions()).isZero();
        assertThat(workingSetBlocks).isGreaterThan(REQUESTS * 10);
    }

    static List<GenerationRequest> workload() {
        String[] openings = {"Once upon a time", "One day, a little girl named Lily", "Tom and his mom went to the park",
            "The little dog"};
        List<GenerationRequest> reqs = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            SamplingParams p = SamplingParams.builder().temperature(i % 3 == 0 ? 0 : 0.8).topP(0.9).seed(500 + i)
                    .maxTokens(80 + 4 * (i % 4)).ignoreEos(true).build();
            reqs.add(new GenerationRequest("r" + i, openings[i % openings.length], p));
        }
        return reqs;
    }

    private static Outcome run(long kvBudgetBytes, OffloadConfig offload, SpillFileSystem spillFiles) {
        EngineConfig cfg = EngineConfig.defaults(TestModels.stories260kF32()).withThreads(2).withMaxSeqs(REQUESTS)
                .withMaxBatchTokens(64).withBlockSize(BLOCK_SIZE).withKvBudgetBytes(kvBudgetBytes).withOffload(offload);
        OffloadRun r = OffloadRun.of(cfg, spillFiles, workload());
        return new Outcome(r.outputs(), r.metrics(), r.swaps());
    }

    private static long budget(double share) {
        return (long) Math.ceil(workingSetBlocks * share) * BLOCK_BYTES;
    }

    private OffloadConfig swapTo(OffloadTiers tiers, long hostBlocks, EvictionPolicyKind policy) {
        return new OffloadConfig(tiers, hostBlocks * BLOCK_BYTES, tiers.usesDisk() ? spill : null, 4L << 20,
                SwapMode.ALWAYS_SWAP, policy);
    }

    /** Runs at {@code share} of the working set and checks the outputs and that swaps really happened. */
    private Outcome assertIdentical(double share, OffloadConfig offload, SpillFileSystem spillFiles) {
        Outcome o = run(budget(share), offload, spillFiles);
        assertThat(o.outputs()).isEqualTo(reference);
        assertThat(o.metrics().preemptions()).isPositive();
        assertThat(o.swaps().swapOuts()).isPositive();
        return o;
    }

    @Test
    void hostMemoryOnlyGivesIdenticalOutputsAt30And10Percent() {
        for (double share : new double[] {0.3, 0.1}) {
            Outcome o = assertIdentical(share, swapTo(OffloadTiers.HOST, workingSetBlocks, EvictionPolicyKind.LRU),
                    SpillFileSystem.FILES);
            assertThat(o.swaps().swapIns()).isPositive();
            assertThat(o.swaps().blocksNotRestored()).isZero();
            assertThat(o.swaps().store().tiers().getFirst().hits()).as("swap-ins and prefix restores")
                    .isEqualTo(o.swaps().blocksSwappedIn() + o.swaps().prefixes().restored());
        }
    }

    @Test
    void diskOnlyGivesIdenticalOutputsAt30And10Percent() {
        for (double share : new double[] {0.3, 0.1}) {
            Outcome o = assertIdentical(share, swapTo(OffloadTiers.DISK, 0, EvictionPolicyKind.LRU),
                    SpillFileSystem.FILES);
            assertThat(o.swaps().swapIns()).isPositive();
            assertThat(o.swaps().store().tiers().getFirst().bytesIn())
                    .isEqualTo((o.swaps().blocksSwappedOut() + o.swaps().prefixes().written()) * BLOCK_BYTES);
        }
    }

    @Test
    void hostAndDiskWithPlanAwarePrefetchGiveIdenticalOutputs() {
        for (double share : new double[] {0.3, 0.1}) {
            Outcome o = assertIdentical(share, swapTo(OffloadTiers.HOST_AND_DISK, 24, EvictionPolicyKind.PLAN_AWARE),
                    SpillFileSystem.FILES);
            assertThat(o.swaps().swapIns()).isPositive();
            assertThat(o.swaps().store().tiers().get(1).blocksIn()).as("blocks spilled to disk").isPositive();
        }
    }

    @Test
    void aSmallHostTierLosesBlocksAndTheSequencesRecomputeThem() {
        Outcome o = assertIdentical(0.1, swapTo(OffloadTiers.HOST, 8, EvictionPolicyKind.LRU), SpillFileSystem.FILES);
        assertThat(o.swaps().blocksNotStored() + o.swaps().blocksNotRestored()).isPositive();
    }

    @Test
    void theCostModelChoosesPerPreemptionWithoutChangingOutputs() {
        OffloadConfig auto = swapTo(OffloadTiers.HOST, workingSetBlocks, EvictionPolicyKind.LRU)
                .withPreemption(SwapMode.COST_MODEL);
        Outcome o = run(budget(0.3), auto, SpillFileSystem.FILES);
        assertThat(o.outputs()).isEqualTo(reference);
        assertThat(o.swaps().swapDecisions() + o.swaps().recomputeDecisions()).isEqualTo(o.metrics().preemptions());
    }

    @Test
    void aFullDiskMakesSequencesRecomputeWithIdenticalOutputs() {
        FaultySpillFileSystem disk = new FaultySpillFileSystem();
        disk.writeBudget.set(40 * BLOCK_BYTES);
        Outcome o = assertIdentical(0.3, swapTo(OffloadTiers.DISK, 0, EvictionPolicyKind.LRU), disk);
        assertThat(disk.faults.get()).isPositive();
        assertThat(o.swaps().blocksNotStored()).isPositive();
        assertThat(o.swaps().store().tiers().getFirst().writeFailures()).isPositive();
    }

    @Test
    void ioErrorsOnReadMakeSequencesRecomputeWithIdenticalOutputs() {
        FaultySpillFileSystem disk = new FaultySpillFileSystem();
        disk.failReads = true;
        Outcome o = assertIdentical(0.3, swapTo(OffloadTiers.DISK, 0, EvictionPolicyKind.LRU), disk);
        assertThat(o.swaps().blocksSwappedIn()).isZero();
        assertThat(o.swaps().blocksNotRestored()).isPositive();
        assertThat(o.swaps().store().lost()).isPositive();
    }

    @Test
    void corruptBlocksAreNeverUsed() {
        FaultySpillFileSystem disk = new FaultySpillFileSystem();
        disk.corruptReads = true;
        Outcome o = assertIdentical(0.1, swapTo(OffloadTiers.HOST_AND_DISK, 16, EvictionPolicyKind.LRU), disk);
        assertThat(o.swaps().store().tiers().get(1).corruptBlocks()).isPositive();
        assertThat(o.swaps().blocksNotRestored()).isPositive();
    }
}
