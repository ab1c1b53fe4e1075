package dev.canopy.executor.engine.offload;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.model.CpuBackend;
import dev.canopy.executor.model.ForwardBatch;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.tensor.KernelChoice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Block reads started while a step is scheduled and handed on after it, on the CPU backend with stories260K's KV:
 * bytes as the blocks were when each read started, in start order, only at {@link PendingBlockReads#finishAll()}.
 */
class PendingBlockReadsTest {

    private static final int BLOCK_SIZE = 4;
    private static final int[] PROMPT = {1, 403, 407, 261, 378, 411, 87, 300, 42, 7, 99, 250}; // blocks 0..2

    private record Received(String name, byte[] bytes) {
    }

    @Test
    void readsAreHandedOnAtFinishAllInStartOrderWithTheBytesOfWhenTheyStarted() {
        try (Model model = Model.load(TestModels.stories260kF32());
             CpuBackend cpu = new CpuBackend(model, 1, KernelChoice.JAVA, 8, BLOCK_SIZE);
             PendingBlockReads reads = new PendingBlockReads(cpu, cpu.blockBytes());
             Arena arena = Arena.ofConfined()) {
            cpu.forward(ForwardBatch.ofSequence(PROMPT, 0, new int[] {0, 1, 2}));
            byte[] block1 = bytesOf(cpu, 1, arena);
            byte[] block2 = bytesOf(cpu, 2, arena);
            List<Received> received = new ArrayList<>();

            assertThat(reads.start(2, p -> received.add(new Received("2", p.toArray(JAVA_BYTE))))).isTrue();
            assertThat(reads.start(1, p -> received.add(new Received("1", p.toArray(JAVA_BYTE))))).isTrue();
            cpu.copyBlock(0, 1); // the pool reuses the blocks before the reads are finished
            cpu.copyBlock(0, 2);
            assertThat(received).isEmpty();
            assertThat(reads.size()).isEqualTo(2);

            reads.finishAll();
            assertThat(reads.isEmpty()).isTrue();
            assertThat(received).extracting(Received::name).containsExactly("2", "1");
            assertThat(received.get(0).bytes()).isEqualTo(block2);
            assertThat(received.get(1).bytes()).isEqualTo(block1);
            assertThat(block1).isNotEqualTo(bytesOf(cpu, 1, arena));
        }
    }

    @Test
    void payloadsAreReusedAcrossStepsAndReadsStartedByACallbackAreFinishedToo() {
        try (Model model = Model.load(TestModels.stories260kF32());
             CpuBackend cpu = new CpuBackend(model, 1, KernelChoice.JAVA, 8, BLOCK_SIZE);
             PendingBlockReads reads = new PendingBlockReads(cpu, cpu.blockBytes())) {
            cpu.forward(ForwardBatch.ofSequence(PROMPT, 0, new int[] {0, 1, 2}));
            List<Integer> order = new ArrayList<>();
            for (int step = 0; step < 3; step++) {
                reads.start(0, p -> {
                    order.add(0);
                    reads.start(2, q -> order.add(2));
                });
                reads.start(1, p -> order.add(1));
                reads.finishAll();
            }
            assertThat(order).containsExactly(0, 1, 2, 0, 1, 2, 0, 1, 2);
            assertThat(reads.payloads()).as("two pending while a third is handed on, in every step").isEqualTo(3);
        }
    }

    @Test
    void startingAReadBeyondTheLimitHandsOnTheOldestFirst() {
        try (Model model = Model.load(TestModels.stories260kF32());
             CpuBackend cpu = new CpuBackend(model, 1, KernelChoice.JAVA, 8, BLOCK_SIZE);
             PendingBlockReads reads = new PendingBlockReads(cpu, cpu.blockBytes(), 2)) {
            cpu.forward(ForwardBatch.ofSequence(PROMPT, 0, new int[] {0, 1, 2}));
            List<Integer> order = new ArrayList<>();
            for (int b = 0; b < 3; b++) {
                int block = b;
                reads.start(block, p -> order.add(block));
            }
            assertThat(order).as("the first read, handed on to make room").containsExactly(0);
            assertThat(reads.size()).isEqualTo(2);
            reads.finishAll();
            assertThat(order).containsExactly(0, 1, 2);
            assertThat(reads.payloads()).as("no more than the limit").isEqualTo(2);
        }
    }

    @Test
    void aDeclinedReadStartsNothing() {
        try (Model model = Model.load(TestModels.stories260kF32());
             CpuBackend cpu = new CpuBackend(model, 1, KernelChoice.JAVA, 8, BLOCK_SIZE, KvCacheType.Q4);
             PendingBlockReads reads = new PendingBlockReads(cpu, cpu.blockBytes())) {
            cpu.forward(ForwardBatch.ofSequence(new int[] {1, 403, 407, 261, 378, 411}, 0, new int[] {0, 1}));
            List<Integer> handedOn = new ArrayList<>();
            assertThat(reads.start(1, p -> handedOn.add(1))).as("block 1 holds 2 of 4 tokens").isFalse();
            assertThat(reads.start(0, p -> handedOn.add(0))).isTrue();
            reads.finishAll();
            assertThat(handedOn).containsExactly(0);
        }
    }

    private static byte[] bytesOf(CpuBackend cpu, int block, Arena arena) {
        MemorySegment payload = arena.allocate(cpu.blockBytes());
        assertThat(cpu.readBlock(block, payload)).isTrue();
        return payload.toArray(JAVA_BYTE);
    }
}
