package dev.canopy.executor.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ParallelTest {

    @Test
    void everyIndexRunsExactlyOnceForAnyRangeAndTeamSize() {
        for (int threads = 1; threads <= 4; threads++) {
            try (Parallel parallel = new Parallel(threads)) {
                for (int n = 0; n <= 37; n++) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(n);
                    parallel.forRange(n, (start, end) -> {
                        for (int i = start; i < end; i++) {
                            hits.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        assertThat(hits.get(i)).as("threads %d, n %d, index %d", threads, n, i).isEqualTo(1);
                    }
                }
            }
        }
    }

    @Test
    void splitsIntoFourEqualContiguousChunksPerThreadThatDependOnlyOnTheRangeAndTeamSize() {
        try (Parallel parallel = new Parallel(3)) {
            for (int round = 0; round < 3; round++) {
                List<String> chunks = Collections.synchronizedList(new ArrayList<>());
                parallel.forRange(30, (start, end) -> chunks.add(start + ".." + end));
                assertThat(chunks).containsExactlyInAnyOrder("0..2", "2..5", "5..7", "7..10", "10..12", "12..15",
                        "15..17", "17..20", "20..22", "22..25", "25..27", "27..30");
                chunks.clear();
                parallel.forRange(5, (start, end) -> chunks.add(start + ".." + end));
                assertThat(chunks).containsExactlyInAnyOrder("0..1", "1..2", "2..3", "3..4", "4..5");
            }
        }
    }

    @Test
    void theCallerAndTheWorkersAllClaimChunks() {
        try (Parallel parallel = new Parallel(2)) {
            Set<Thread> runners = ConcurrentHashMap.newKeySet();
            parallel.forRange(8, (start, end) -> {
                runners.add(Thread.currentThread());
                sleep(20); // a chunk takes long enough that one thread cannot take them all
            });
            assertThat(runners).hasSize(2).contains(Thread.currentThread());
        }
    }

    @Test
    void aFailingChunkIsRethrownAfterTheLoopAndTheTeamStaysUsable() {
        try (Parallel parallel = new Parallel(2)) {
            assertThatThrownBy(() -> parallel.forRange(4, (start, end) -> {
                if (start == 2) {
                    throw new IllegalStateException("chunk " + start + " failed");
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("chunk 2 failed");
            AtomicLong sum = new AtomicLong();
            parallel.forRange(4, (start, end) -> sum.addAndGet(end - start));
            assertThat(sum).hasValue(4);
        }
    }

    @Test
    void aLoopInsideALoopRunsOnTheCallingThread() {
        try (Parallel parallel = new Parallel(2)) {
            AtomicLong inner = new AtomicLong();
            parallel.forRange(2, (start, end) -> {
                Thread self = Thread.currentThread();
                parallel.forRange(5, (s, e) -> {
                    assertThat(Thread.currentThread()).isSameAs(self);
                    inner.addAndGet(e - s);
                });
            });
            assertThat(inner).hasValue(10);
        }
    }

    @Test
    void runsManyShortLoopsBackToBack() {
        try (Parallel parallel = new Parallel(2)) {
            long[] partial = new long[2];
            for (int round = 0; round < 20_000; round++) {
                parallel.forRange(2, (start, end) -> partial[start]++);
            }
            assertThat(partial).containsExactly(20_000, 20_000);
        }
    }

    @Test
    void aLoopDoesNotWaitForAWorkerThatTakesNoChunk() {
        try (Parallel parallel = new Parallel(2)) {
            AtomicLong sum = new AtomicLong();
            for (int round = 0; round < 1000; round++) {
                parallel.forRange(1 + round % 9, (start, end) -> sum.addAndGet(end - start));
            }
            long expected = 0;
            for (int round = 0; round < 1000; round++) {
                expected += 1 + round % 9;
            }
            assertThat(sum).hasValue(expected);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void rejectsBadTeamSizesAndLoopsAfterClose() {
        assertThatThrownBy(() -> new Parallel(0))
                .hasMessage("Cannot start a thread team of 0 threads: need at least 1");
        Parallel parallel = new Parallel(2);
        parallel.close();
        assertThatThrownBy(() -> parallel.forRange(4, (start, end) -> {}))
                .hasMessage("Cannot run a parallel loop: the thread team is closed");
    }

    /**
     * Regression: a worker leaving one loop could claim and count a chunk of the next (the loops
     * shared their counters), so the next loop waited forever. Seen with 16 threads on tiny loops.
     */
    @Test
    void manyTinyLoopsOnMoreThreadsThanCoresAllComplete() {
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(90), () -> {
            try (Parallel p = new Parallel(16)) {
                AtomicLong covered = new AtomicLong();
                long expected = 0;
                for (int i = 0; i < 30_000; i++) {
                    int n = 1 + i % 70;
                    expected += n;
                    p.forRange(n, (start, end) -> covered.addAndGet(end - start));
                }
                assertThat(covered.get()).isEqualTo(expected);
            }
        });
    }
}
