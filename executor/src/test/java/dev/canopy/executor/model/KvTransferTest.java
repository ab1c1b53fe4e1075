package dev.canopy.executor.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.tensor.KernelChoice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The asynchronous block copies of a backend that copies synchronously (the CPU's): transfers come back done, a read
 * takes the block as it is when started, and a 4-bit block still being filled is declined, as {@code readBlock}
 * returning false says.
 */
class KvTransferTest {

    private static final int BLOCKS = 8;
    private static final int BLOCK_SIZE = 4;
    private static final int[] PROMPT = {1, 403, 407, 261, 378, 411, 87, 300, 42}; // 9 tokens: blocks 0..2

    @Test
    void completedAndDeclinedTransfersAreDoneAndAwaitReturnsAtOnce() {
        assertThat(KvTransfer.completed().isDone()).isTrue();
        assertThat(KvTransfer.completed().isDeclined()).isFalse();
        assertThat(KvTransfer.declined().isDone()).isTrue();
        assertThat(KvTransfer.declined().isDeclined()).isTrue();
        KvTransfer.completed().await();
        KvTransfer.declined().await();
    }

    @Test
    void aReadTakesTheBlockAsItIsWhenStartedAndAWriteRestoresIt() {
        try (Model model = Model.load(TestModels.stories260kF32());
             CpuBackend cpu = new CpuBackend(model, 1, KernelChoice.JAVA, BLOCKS, BLOCK_SIZE);
             Arena arena = Arena.ofConfined()) {
            int[] table = {0, 1, 2, 3, 4, 5, 6, 7};
            float[] logits = cpu.forward(ForwardBatch.ofSequence(PROMPT, 0, table));
            MemorySegment expected = arena.allocate(cpu.blockBytes());
            assertThat(cpu.readBlock(1, expected)).isTrue();

            MemorySegment payload = arena.allocate(cpu.blockBytes());
            KvTransfer read = cpu.readBlockAsync(1, payload);
            cpu.copyBlock(0, 1); // a later step overwrites the block
            assertThat(read.isDeclined()).isFalse();
            assertThat(read.isDone()).isTrue();
            read.await();
            assertThat(payload.mismatch(expected)).isEqualTo(-1);
            assertThat(payload.mismatch(zeros(arena, cpu.blockBytes()))).as("KV of real tokens").isNotEqualTo(-1);

            KvTransfer write = cpu.writeBlockAsync(1, payload);
            payload.fill((byte) 0); // the write took its payload
            assertThat(write.isDone()).isTrue();
            int last = PROMPT.length - 1;
            float[] again = cpu.forward(ForwardBatch.ofSequence(new int[] {PROMPT[last]}, last, table));
            assertThat(again).as("the last prompt token's logits, recomputed over the restored block")
                    .containsExactly(logits);
        }
    }

    @Test
    void aFourBitBlockStillBeingFilledIsDeclinedAndAFullOneIsNot() {
        try (Model model = Model.load(TestModels.stories260kF32());
             CpuBackend cpu = new CpuBackend(model, 1, KernelChoice.JAVA, BLOCKS, BLOCK_SIZE, KvCacheType.Q4);
             Arena arena = Arena.ofConfined()) {
            cpu.forward(ForwardBatch.ofSequence(PROMPT, 0, new int[] {0, 1, 2}));
            MemorySegment payload = arena.allocate(cpu.blockBytes());
            assertThat(cpu.readBlockAsync(2, payload).isDeclined()).as("block 2 holds 1 of 4 tokens").isTrue();
            assertThat(cpu.readBlock(2, payload)).isFalse();
            KvTransfer full = cpu.readBlockAsync(1, payload);
            assertThat(full.isDeclined()).isFalse();
            assertThat(full.isDone()).isTrue();
        }
    }

    private static MemorySegment zeros(Arena arena, long bytes) {
        return arena.allocate(bytes);
    }
}
