package dev.canopy.offload;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Real spill files with faults switched on by the test: a disk that fills up after a byte budget, reads that fail,
 * reads that flip one bit of what the disk returns, and reads held until the test lets them go. Shared with the
 * executor's engine tests through this module's test jar.
 */
public final class FaultySpillFileSystem implements SpillFileSystem {

    /** Bytes writes may still add before the disk is full; negative: unlimited. */
    public final AtomicLong writeBudget = new AtomicLong(-1);
    public volatile boolean failReads;
    public volatile boolean corruptReads;
    /** Faults injected so far (full disk, failed or corrupted reads). */
    public final AtomicLong faults = new AtomicLong();
    /** When set, reads wait until it opens (to hold IO in flight). */
    volatile CountDownLatch readGate;
    /** Reads that have reached the gate (started), for tests that must order a prefetch before a load. */
    final AtomicInteger readsStarted = new AtomicInteger();

    @Override
    public SpillFile create(Path path) throws IOException {
        SpillFile real = SpillFileSystem.FILES.create(path);
        return new SpillFile() {
            @Override
            public int write(ByteBuffer src, long position) throws IOException {
                long budget = writeBudget.get();
                if (budget >= 0) {
                    if (budget < src.remaining() || !writeBudget.compareAndSet(budget, budget - src.remaining())) {
                        faults.incrementAndGet();
                        throw new IOException("No space left on device");
                    }
                }
                return real.write(src, position);
            }

            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                CountDownLatch gate = readGate;
                readsStarted.incrementAndGet();
                if (gate != null) {
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted at the read gate", e);
                    }
                }
                if (failReads) {
                    faults.incrementAndGet();
                    throw new IOException("Input/output error");
                }
                int start = dst.position();
                int n = real.read(dst, position);
                if (corruptReads && n > 0) {
                    faults.incrementAndGet();
                    dst.put(start, (byte) (dst.get(start) ^ 0x10));
                }
                return n;
            }

            @Override
            public void close() throws IOException {
                real.close();
            }
        };
    }
}
