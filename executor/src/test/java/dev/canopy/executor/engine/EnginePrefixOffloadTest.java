package dev.canopy.executor.engine;

import dev.canopy.executor.engine.offload.OffloadConfig;
import dev.canopy.executor.engine.offload.OffloadTiers;
import dev.canopy.executor.engine.offload.PrefixOffloadMetrics;
import dev.canopy.executor.engine.offload.SwapMetrics;
import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.offload.EvictionPolicyKind;
import dev.canopy.offload.SpillFileSystem;
import dev.canopy.offload.SwapMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offload of evicted prefix-cache blocks on the real stories260K model: three groups of requests share three long
 * prompt prefixes, and each group comes back after the other two ran. With a KV pool that holds one group at a time,
 * the later groups evict the earlier group's prefix blocks; with offload on they go to host memory (or disk) and come
 * back instead of being recomputed. Every output is identical to the unconstrained run's and to the run without
 * offload.
 */
class EnginePrefixOffloadTest {

    private static final int BLOCK_SIZE = 4;
    private static final int PREFIX_LEN = 48;
    private static final int PER_GROUP = 4;
    private static final long BLOCK_BYTES = 5L * 2 * 32 * Float.BYTES * BLOCK_SIZE; // layers × (k, v) × kvDim floats
    private static final long TIGHT_BUDGET = 40 * BLOCK_BYTES; // one group of 4 running (32 blocks) and a little more

    private static List<String> reference;
    private static Outcome withoutOffload;

    @TempDir
    Path spill;

    private record Outcome(List<String> outputs, EngineMetrics metrics, SwapMetrics swaps) {
    }

    @BeforeAll
    static void runWithoutOffload() {
        reference = run(1L << 24, OffloadConfig.none()).outputs();
        withoutOffload = run(TIGHT_BUDGET, OffloadConfig.none());
    }

    /** Groups A, B, C of 4 requests each, then A, B, C again: each prefix is needed again after two others ran. */
    static List<GenerationRequest> workload() {
        SplittableRandom rnd = new SplittableRandom(7);
        int[][] prefixes = new int[3][];
        for (int g = 0; g < prefixes.length; g++) {
            prefixes[g] = rnd.ints(PREFIX_LEN, 3, 512).toArray();
        }
        List<GenerationRequest> reqs = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            for (int g = 0; g < prefixes.length; g++) {
                for (int i = 0; i < PER_GROUP; i++) {
                    int[] prompt = Arrays.copyOf(prefixes[g], PREFIX_LEN + 4);
                    for (int j = PREFIX_LEN; j < prompt.length; j++) {
                        prompt[j] = rnd.nextInt(3, 512);
                    }
                    SamplingParams p = SamplingParams.builder().temperature(i % 2 == 0 ? 0 : 0.8).seed(11 + i)
                            .maxTokens(16).ignoreEos(true).build();
                    reqs.add(GenerationRequest.ofTokens("g" + g + "-" + round + "-" + i, prompt, p));
                }
            }
        }
        return reqs;
    }

    private static Outcome run(long kvBudgetBytes, OffloadConfig offload) {
        EngineConfig cfg = EngineConfig.defaults(TestModels.stories260kF32()).withThreads(2).withMaxSeqs(PER_GROUP)
                .withMaxBatchTokens(64).withBlockSize(BLOCK_SIZE).withKvBudgetBytes(kvBudgetBytes).withOffload(offload);
        OffloadRun r = OffloadRun.of(cfg, SpillFileSystem.FILES, workload());
        return new Outcome(r.outputs(), r.metrics(), r.swaps());
    }

    private OffloadConfig offload(OffloadTiers tiers, long hostBlocks, EvictionPolicyKind policy) {
        return new OffloadConfig(tiers, hostBlocks * BLOCK_BYTES, tiers.usesDisk() ? spill : null, 4L << 20,
                SwapMode.ALWAYS_SWAP, policy);
    }

    @Test
    void theTightPoolWithoutOffloadRecomputesEvictedPrefixes() {
        assertThat(withoutOffload.outputs()).isEqualTo(reference);
        assertThat(withoutOffload.metrics().totalBlocks()).isEqualTo(40);
        assertThat(withoutOffload.metrics().prefillTokens()).as("each group's prefix computed in both rounds")
                .isGreaterThanOrEqualTo(6L * PREFIX_LEN);
    }

    @Test
    void planAwareOffloadRestoresEvictedPrefixesWithIdenticalOutputs() {
        Outcome o = run(TIGHT_BUDGET, offload(OffloadTiers.HOST, 256, EvictionPolicyKind.PLAN_AWARE));
        assertThat(o.outputs()).isEqualTo(reference);
        PrefixOffloadMetrics p = o.swaps().prefixes();
        assertThat(p.written()).as("prefix blocks offloaded").isPositive();
        assertThat(p.restored()).as("prefix blocks restored").isPositive();
        assertThat(p.notRestored()).isZero();
        assertThat(p.timeliness()).hasValue(1.0); // host memory is the first tier
        assertThat(p.dropped()).as("blocks of finished requests' own tokens, which nobody reads again").isPositive();
        assertThat(o.metrics().prefillTokens()).as("restored prefix tokens are not computed")
                .isLessThanOrEqualTo(withoutOffload.metrics().prefillTokens() - p.restored() * BLOCK_SIZE);
        assertThat(o.swaps().store().tiers().getFirst().bytesIn())
                .isEqualTo((p.written() + o.swaps().blocksSwappedOut()) * BLOCK_BYTES);
    }

    @Test
    void lruOffloadWritesEveryEvictedBlockAndStillGivesIdenticalOutputs() {
        Outcome lru = run(TIGHT_BUDGET, offload(OffloadTiers.HOST, 256, EvictionPolicyKind.LRU));
        Outcome plan = run(TIGHT_BUDGET, offload(OffloadTiers.HOST, 256, EvictionPolicyKind.PLAN_AWARE));
        assertThat(lru.outputs()).isEqualTo(reference);
        assertThat(lru.swaps().prefixes().dropped()).isZero();
        assertThat(lru.swaps().prefixes().restored()).isPositive();
        assertThat(lru.swaps().prefixes().written()).as("LRU also writes blocks nobody reads again")
                .isGreaterThan(plan.swaps().prefixes().written());
    }

    @Test
    void prefixBlocksSpilledToDiskArePrefetchedBackWithIdenticalOutputs() {
        Outcome o = run(TIGHT_BUDGET, offload(OffloadTiers.HOST_AND_DISK, 4, EvictionPolicyKind.PLAN_AWARE));
        assertThat(o.outputs()).isEqualTo(reference);
        PrefixOffloadMetrics p = o.swaps().prefixes();
        assertThat(p.restored()).isPositive();
        assertThat(o.swaps().store().tiers().get(1).blocksIn()).as("blocks spilled to disk").isPositive();
        assertThat(o.swaps().store().prefetchIssued()).as("disk blocks moved up ahead of admission").isPositive();
        assertThat(p.timeliness()).isPresent();
    }

    @Test
    void aHostTierTooSmallForThePrefixesOnlyCostsRecomputation() {
        Outcome o = run(TIGHT_BUDGET, offload(OffloadTiers.HOST, 2, EvictionPolicyKind.LRU));
        assertThat(o.outputs()).isEqualTo(reference);
        assertThat(o.swaps().prefixes().written()).isPositive();
    }
}
