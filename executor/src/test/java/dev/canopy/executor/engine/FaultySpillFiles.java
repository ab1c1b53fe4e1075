package dev.canopy.executor.engine;

import dev.canopy.offload.SpillFile;
import dev.canopy.offload.SpillFileSystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/** Real spill files with faults the test switches on: a disk that fills up, failing reads, reads that flip a bit. */
final class FaultySpillFiles implements SpillFileSystem {

    /** Bytes writes may still add before the disk is full; negative: unlimited. */
    final AtomicLong writeBudget = new AtomicLong(-1);
    volatile boolean failReads;
    volatile boolean corruptReads;
    final AtomicLong faults = new AtomicLong();

    @Override
    public SpillFile create(Path path) throws IOException {
        SpillFile real = SpillFileSystem.FILES.create(path);
        return new SpillFile() {
            @Override
            public int write(ByteBuffer src, long position) throws IOException {
                long budget = writeBudget.get();
                if (budget >= 0 && (budget < src.remaining()
                        || !writeBudget.compareAndSet(budget, budget - src.remaining()))) {
                    faults.incrementAndGet();
                    throw new IOException("No space left on device");
                }
                return real.write(src, position);
            }

            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
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
