package dev.canopy.executor.engine;

import dev.canopy.executor.engine.offload.OffloadConfig;
import dev.canopy.executor.engine.offload.OffloadTiers;
import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.offload.EvictionPolicyKind;
import dev.canopy.offload.SpillFileSystem;
import dev.canopy.offload.SwapMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One key scheme on the real stories260K model, greedy: requests in groups share a long prompt prefix and the KV pool
 * is too small for them, so sequences are preempted by swap while their prefix blocks are also evicted and spilled.
 * The swapped-out blocks that equal stored prefix blocks (or another swapped-out sequence's) are stored once, and every
 * output is identical to the run without offload.
 */
class EngineOffloadSharingTest {

    private static final int BLOCK_SIZE = 4;
    private static final int PREFIX_LEN = 32;
    private static final long BLOCK_BYTES = 5L * 2 * 32 * Float.BYTES * BLOCK_SIZE; // layers × (k, v) × kvDim floats

    private static List<String> reference;

    @BeforeAll
    static void runWithoutOffload() {
        reference = run(40 * BLOCK_BYTES, OffloadConfig.none()).outputs();
    }

    /** Two groups of 6 greedy requests, each group sharing a prefix, then both groups again. */
    static List<GenerationRequest> workload() {
        SplittableRandom rnd = new SplittableRandom(3);
        int[][] prefixes = {rnd.ints(PREFIX_LEN, 3, 512).toArray(), rnd.ints(PREFIX_LEN, 3, 512).toArray()};
        List<GenerationRequest> reqs = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            for (int g = 0; g < prefixes.length; g++) {
                for (int i = 0; i < 6; i++) {
                    int[] prompt = Arrays.copyOf(prefixes[g], PREFIX_LEN + 2);
                    prompt[PREFIX_LEN] = rnd.nextInt(3, 512);
                    prompt[PREFIX_LEN + 1] = rnd.nextInt(3, 512);
                    reqs.add(GenerationRequest.ofTokens("g" + g + "-" + round + "-" + i, prompt,
                            SamplingParams.builder().temperature(0).maxTokens(24).ignoreEos(true).build()));
                }
            }
        }
        return reqs;
    }

    private static OffloadRun run(long kvBudgetBytes, OffloadConfig offload) {
        EngineConfig cfg = EngineConfig.defaults(TestModels.stories260kF32()).withThreads(2).withMaxSeqs(6)
                .withMaxBatchTokens(64).withBlockSize(BLOCK_SIZE).withKvBudgetBytes(kvBudgetBytes).withOffload(offload);
        return OffloadRun.of(cfg, SpillFileSystem.FILES, workload());
    }

    private static OffloadConfig host(EvictionPolicyKind policy) {
        return new OffloadConfig(OffloadTiers.HOST, 512 * BLOCK_BYTES, null, 0, SwapMode.ALWAYS_SWAP, policy);
    }

    @Test
    void swappedOutBlocksEqualToStoredOnesAreSharedWithIdenticalOutputs() {
        for (EvictionPolicyKind policy : EvictionPolicyKind.values()) {
            OffloadRun o = run(40 * BLOCK_BYTES, host(policy));
            assertThat(o.outputs()).as(policy.toString()).isEqualTo(reference);
            assertThat(o.metrics().preemptions()).isPositive();
            assertThat(o.swaps().blocksShared()).as("swapped-out blocks already stored").isPositive();
            assertThat(o.swaps().store().tiers().getFirst().bytesIn()).as("each stored block written once")
                    .isEqualTo((o.swaps().blocksSwappedOut() + o.swaps().prefixes().written()) * BLOCK_BYTES);
        }
    }
}
