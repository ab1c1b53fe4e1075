package dev.canopy.offload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * End to end through {@link KvSimulation}: outputs are byte-identical to the unconstrained run with the primary
 * budget at 100%, 30% and 10% of the working set, with host memory only, disk only, or both, under LRU and plan-aware
 * eviction, and with a disk that damages what it returns.
 */
class OffloadSimulationTest {

    private static final KvSimulation.Shape SHAPE = new KvSimulation.Shape(12, 3, 20, 4, 16);
    private static final List<Long> EXPECTED = baseline();

    @TempDir
    Path temp;

    enum Tiers { HOST, DISK, HOST_AND_DISK, SMALL_HOST_AND_CORRUPTING_DISK }

    static List<Arguments> configurations() {
        List<Arguments> configurations = new ArrayList<>();
        for (double budget : new double[] {1.0, 0.3, 0.1}) {
            for (Tiers tiers : Tiers.values()) {
                for (EvictionPolicyKind policy : EvictionPolicyKind.values()) {
                    configurations.add(Arguments.of(budget, tiers, policy));
                }
            }
        }
        return configurations;
    }

    @ParameterizedTest(name = "budget {0}, {1}, {2}")
    @MethodSource("configurations")
    void outputsMatchTheUnconstrainedRun(double budget, Tiers tiers, EvictionPolicyKind policy) throws Exception {
        int primary = Math.max(SHAPE.blocksPerSequence(), (int) Math.round(budget * SHAPE.workingSetBlocks()));
        FaultySpillFileSystem disk = new FaultySpillFileSystem();
        disk.corruptReads = tiers == Tiers.SMALL_HOST_AND_CORRUPTING_DISK;
        try (TieredKvStore store = new TieredKvStore(tiersFor(tiers, disk), policy, 2)) {
            KvSimulation.Outcome outcome = new KvSimulation(SHAPE, primary, store, policy).run();

            assertThat(outcome.outputs()).isEqualTo(EXPECTED);
            OffloadStats stats = store.stats();
            if (budget < 1) {
                assertThat(outcome.evictions()).isPositive();
                assertThat(stats.tiers().stream().mapToLong(TierStats::hits).sum()).isPositive();
            } else {
                assertThat(outcome.evictions()).isZero();
            }
            if (tiers == Tiers.SMALL_HOST_AND_CORRUPTING_DISK && budget < 1) {
                assertThat(stats.lost()).isPositive();
                assertThat(outcome.recomputedBlocks()).isPositive();
            }
            if (tiers != Tiers.SMALL_HOST_AND_CORRUPTING_DISK) {
                assertThat(outcome.recomputedBlocks()).isZero(); // every tier setup holds the whole working set
                assertThat(stats.lost()).isZero();
            }
        }
    }

    private List<KvTier> tiersFor(Tiers tiers, FaultySpillFileSystem disk) {
        long block = SHAPE.blockBytes();
        long workingSet = SHAPE.workingSetBlocks() * block;
        DiskTierConfig diskConfig = new DiskTierConfig(temp, workingSet, 0, 2, 1 << 20);
        return switch (tiers) {
            case HOST -> List.of(new HostMemoryTier(workingSet, block));
            case DISK -> List.of(new DiskTier(diskConfig, block));
            case HOST_AND_DISK -> List.of(new HostMemoryTier(workingSet / 4, block), new DiskTier(diskConfig, block));
            case SMALL_HOST_AND_CORRUPTING_DISK ->
                    List.of(new HostMemoryTier(4 * block, block), new DiskTier(diskConfig, block, disk));
        };
    }

    private static List<Long> baseline() {
        try {
            return new KvSimulation(SHAPE, SHAPE.workingSetBlocks(), null, EvictionPolicyKind.LRU).run().outputs();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
