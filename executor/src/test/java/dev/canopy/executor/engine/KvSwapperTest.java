package dev.canopy.executor.engine;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.kv.BlockManager;
import dev.canopy.executor.kv.BlockManagerConfig;
import dev.canopy.executor.model.CpuBackend;
import dev.canopy.executor.model.ForwardBatch;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.sched.Scheduler;
import dev.canopy.executor.sched.SchedulerConfig;
import dev.canopy.executor.sched.Sequence;
import dev.canopy.executor.tensor.KernelChoice;
import dev.canopy.offload.EvictionPolicyKind;
import dev.canopy.offload.SpillFileSystem;
import dev.canopy.offload.SwapMode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The swapper's copies around a step, on the CPU backend with stories260K's KV: a swap-out starts its reads and
 * stores the blocks as they were, even once the pool reused them, only when the step's pending reads are finished;
 * a sequence readmitted in the step that swapped it out still gets its blocks back; a block the tiers refuse when the
 * reads finish is recomputed, not restored.
 */
class KvSwapperTest {

    private static final int BLOCK_SIZE = 4;
    private static final int BLOCKS = 12;
    private static final int[] PROMPT = {1, 403, 407, 261, 378, 411, 87, 300, 42, 7, 99, 250, 31}; // blocks 0..3

    private Model model;
    private CpuBackend cpu;
    private BlockManager blocks;
    private Sequence seq;
    private List<byte[]> original;
    private final Arena arena = Arena.ofConfined();

    @BeforeEach
    void computeAPrompt() {
        model = Model.load(TestModels.stories260kF32());
        cpu = new CpuBackend(model, 1, KernelChoice.JAVA, BLOCKS, BLOCK_SIZE);
        blocks = new BlockManager(new BlockManagerConfig(BLOCKS, BLOCK_SIZE, false));
        Scheduler scheduler = new Scheduler(new SchedulerConfig(64, 4), blocks);
        seq = scheduler.add(0, PROMPT, SamplingParams.greedy(4)).getFirst();
        blocks.allocate(seq);
        cpu.forward(ForwardBatch.ofSequence(PROMPT, 0, seq.blockTable().toArray()));
        original = contents(seq, 3);
    }

    @AfterEach
    void close() {
        cpu.close();
        model.close();
        arena.close();
    }

    private KvSwapper swapper(long hostBlocks) {
        OffloadConfig host = new OffloadConfig(OffloadTiers.HOST, hostBlocks * cpu.blockBytes(), null, 0,
                SwapMode.ALWAYS_SWAP, EvictionPolicyKind.LRU);
        return KvSwapper.open(host, model.config(), cpu, SpillFileSystem.FILES);
    }

    @Test
    void aSwapOutIsStoredAfterTheStepWithTheBlocksAsTheyWere() {
        try (KvSwapper swapper = swapper(8)) {
            assertThat(swapper.swapOut(seq, 3)).isEqualTo(3);
            assertThat(swapper.pendingReads()).isEqualTo(3);
            assertThat(swapper.metrics().blocksSwappedOut()).as("before the step's forward ends").isZero();
            reuseThePool();

            swapper.finishPendingReads();
            assertThat(swapper.pendingReads()).isZero();
            assertThat(swapper.metrics().blocksSwappedOut()).isEqualTo(3);
            assertThat(swapper.swapIn(seq, 0, 3)).isEqualTo(3);
            assertThat(contents(seq, 3)).containsExactlyElementsOf(original);
        }
    }

    @Test
    void aSequenceReadmittedInTheStepThatSwappedItOutGetsItsBlocksBack() {
        try (KvSwapper swapper = swapper(8)) {
            swapper.swapOut(seq, 3);
            reuseThePool();
            assertThat(swapper.swapIn(seq, 0, 3)).isEqualTo(3);
            assertThat(swapper.pendingReads()).isZero();
            assertThat(contents(seq, 3)).containsExactlyElementsOf(original);
            assertThat(swapper.metrics().blocksNotRestored()).isZero();
        }
    }

    @Test
    void blocksTheTiersRefuseAfterTheStepAreRecomputedNotRestored() {
        try (KvSwapper swapper = swapper(1)) {
            assertThat(swapper.swapOut(seq, 3)).as("being stored").isEqualTo(3);
            swapper.finishPendingReads();
            SwapMetrics m = swapper.metrics();
            assertThat(m.blocksSwappedOut()).isEqualTo(1);
            assertThat(m.blocksNotStored()).isEqualTo(2);
            reuseThePool();
            assertThat(swapper.swapIn(seq, 0, 3)).isEqualTo(1);
            assertThat(contents(seq, 1)).containsExactlyElementsOf(original.subList(0, 1));
            assertThat(swapper.metrics().blocksNotRestored()).as("never stored: not counted twice").isZero();
        }
    }

    /** Frees the sequence's blocks, overwrites every block of the pool, and gives the sequence fresh blocks. */
    private void reuseThePool() {
        blocks.free(seq);
        MemorySegment zeros = arena.allocate(cpu.blockBytes());
        for (int b = 0; b < BLOCKS; b++) {
            cpu.writeBlock(b, zeros);
        }
        blocks.allocate(seq);
    }

    /** The bytes of the first {@code n} blocks of {@code s}'s table. */
    private List<byte[]> contents(Sequence s, int n) {
        List<byte[]> out = new ArrayList<>();
        MemorySegment payload = arena.allocate(cpu.blockBytes());
        for (int k = 0; k < n; k++) {
            assertThat(cpu.readBlock(s.blockTable().blockId(k), payload)).isTrue();
            out.add(payload.toArray(JAVA_BYTE));
        }
        return out;
    }
}
