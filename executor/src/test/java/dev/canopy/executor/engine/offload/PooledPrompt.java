package dev.canopy.executor.engine.offload;

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

/**
 * For swap tests on the CPU backend: stories260K's KV of {@link #PROMPT} (13 tokens: blocks 0..3, the last holding one
 * token) computed into a pool of {@link #BLOCKS} blocks of {@link #BLOCK_SIZE} tokens, the sequence holding them, and
 * the pool operations the tests need.
 */
final class PooledPrompt implements AutoCloseable {

    static final int BLOCK_SIZE = 4;
    static final int BLOCKS = 12;
    static final int[] PROMPT = {1, 403, 407, 261, 378, 411, 87, 300, 42, 7, 99, 250, 31};

    final Model model;
    final CpuBackend cpu;
    final BlockManager blocks;
    final Sequence seq;
    private final Arena arena = Arena.ofConfined();

    PooledPrompt() {
        model = Model.load(TestModels.stories260kF32());
        cpu = new CpuBackend(model, 1, KernelChoice.JAVA, BLOCKS, BLOCK_SIZE);
        blocks = new BlockManager(new BlockManagerConfig(BLOCKS, BLOCK_SIZE, false));
        Scheduler scheduler = new Scheduler(new SchedulerConfig(64, 4), blocks);
        seq = scheduler.add(0, PROMPT, SamplingParams.greedy(4)).getFirst();
        blocks.allocate(seq);
        cpu.forward(ForwardBatch.ofSequence(PROMPT, 0, seq.blockTable().toArray()));
    }

    /** A swapper over a host tier of {@code hostBlocks} blocks, always swapping, with LRU eviction. */
    KvSwapper swapper(long hostBlocks) {
        OffloadConfig host = new OffloadConfig(OffloadTiers.HOST, hostBlocks * cpu.blockBytes(), null, 0,
                SwapMode.ALWAYS_SWAP, EvictionPolicyKind.LRU);
        return KvSwapper.open(host, model.config(), cpu, SpillFileSystem.FILES);
    }

    /** Frees the sequence's blocks, overwrites every block of the pool, and gives the sequence fresh blocks. */
    void reuseThePool() {
        blocks.free(seq);
        MemorySegment zeros = arena.allocate(cpu.blockBytes());
        for (int b = 0; b < BLOCKS; b++) {
            cpu.writeBlock(b, zeros);
        }
        blocks.allocate(seq);
    }

    /** The bytes of the first {@code n} blocks of {@code s}'s table. */
    List<byte[]> contents(Sequence s, int n) {
        List<byte[]> out = new ArrayList<>();
        MemorySegment payload = arena.allocate(cpu.blockBytes());
        for (int k = 0; k < n; k++) {
            assertThat(cpu.readBlock(s.blockTable().blockId(k), payload)).isTrue();
            out.add(payload.toArray(JAVA_BYTE));
        }
        return out;
    }

    @Override
    public void close() {
        cpu.close();
        model.close();
        arena.close();
    }
}
