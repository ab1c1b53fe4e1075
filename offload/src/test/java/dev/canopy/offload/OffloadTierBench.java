package dev.canopy.offload;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Throughput of the tiers with blocks the size of the synthetic 134M model's (12 layers, kvDim 768, 16 tokens:
 * 1,179,648 bytes). Run: {@code java -cp offload/target/classes:offload/target/test-classes
 * dev.canopy.offload.OffloadTierBench [spillDir] [blocks]}. Disk numbers include the page cache: reads of data just
 * written come from memory unless it was evicted.
 */
public final class OffloadTierBench {

    private static final long BLOCK = 2L * 12 * 16 * 768 * Float.BYTES; // (layers, 2 [keys, values], tokens, kvDim) floats

    private OffloadTierBench() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("canopy-bench");
        int blocks = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        List<MemorySegment> payloads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            payloads.add(TestBlocks.pattern(BLOCK, i));
        }
        MemorySegment out = TestBlocks.buffer(BLOCK);
        System.out.printf(Locale.ROOT, "blocks of %d bytes, %d per pass, spill directory %s%n", BLOCK, blocks, dir);
        for (int round = 0; round < 3; round++) { // the first round warms up
            try (HostMemoryTier host = new HostMemoryTier(blocks * BLOCK, BLOCK)) {
                report(round, "host put (fresh slabs: page faults)", blocks, () -> putAll(host, blocks, payloads));
                report(round, "host get", blocks, () -> getAll(host, blocks, out));
                for (int i = 0; i < blocks; i++) {
                    host.remove(key(i));
                }
                report(round, "host put (slabs reused)", blocks, () -> putAll(host, blocks, payloads));
            }
            try (DiskTier disk = new DiskTier(new DiskTierConfig(dir, blocks * BLOCK, 0, 2, 1L << 30), BLOCK)) {
                report(round, "disk put (sync, CRC32C)", blocks, () -> putAll(disk, blocks, payloads));
                report(round, "disk get (sync, verified)", blocks, () -> getAll(disk, blocks, out));
                for (int i = 0; i < blocks; i++) {
                    disk.remove(key(i));
                }
                report(round, "disk put (async, 2 IO threads)", blocks, () -> putAllAsync(disk, blocks, payloads));
                List<MemorySegment> outs = new ArrayList<>();
                for (int i = 0; i < blocks; i++) {
                    outs.add(TestBlocks.buffer(BLOCK));
                }
                report(round, "disk get (async, 2 IO threads)", blocks, () -> getAllAsync(disk, blocks, outs));
            }
            try (TieredKvStore store = new TieredKvStore(List.of(new HostMemoryTier(blocks / 4 * BLOCK, BLOCK),
                    new DiskTier(new DiskTierConfig(dir, blocks * BLOCK, 0, 2, 1L << 30), BLOCK)),
                    EvictionPolicyKind.LRU, 2)) {
                report(round, "store offload (host 25%, rest demoted)", blocks, () -> {
                    for (int i = 0; i < blocks; i++) {
                        store.offload(key(i), payloads.get(i % payloads.size()));
                    }
                });
                report(round, "store load (75% from disk)", blocks, () -> {
                    for (int i = 0; i < blocks; i++) {
                        store.load(key(i), out);
                    }
                });
            }
        }
    }

    private interface Pass {
        void run() throws IOException;
    }

    private static void report(int round, String what, int blocks, Pass pass) throws IOException {
        long start = System.nanoTime();
        pass.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (round > 0) {
            System.out.printf(Locale.ROOT, "%-42s %8.0f MB/s%n", what, blocks * BLOCK / 1e6 / seconds);
        }
    }

    private static BlockKey key(int i) {
        return new BlockKey(1, i);
    }

    private static void putAll(KvTier tier, int blocks, List<MemorySegment> payloads) throws IOException {
        for (int i = 0; i < blocks; i++) {
            tier.put(key(i), payloads.get(i % payloads.size()));
        }
    }

    private static void getAll(KvTier tier, int blocks, MemorySegment out) throws IOException {
        for (int i = 0; i < blocks; i++) {
            tier.get(key(i), out);
        }
    }

    private static void putAllAsync(KvTier tier, int blocks, List<MemorySegment> payloads) {
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            writes.add(tier.putAsync(key(i), payloads.get(i % payloads.size())));
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
    }

    private static void getAllAsync(KvTier tier, int blocks, List<MemorySegment> outs) {
        List<CompletableFuture<Boolean>> reads = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            reads.add(tier.getAsync(key(i), outs.get(i)));
        }
        CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).join();
    }
}
