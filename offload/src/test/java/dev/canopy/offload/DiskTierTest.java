package dev.canopy.offload;

import static dev.canopy.offload.TestBlocks.buffer;
import static dev.canopy.offload.TestBlocks.pattern;
import static dev.canopy.offload.TestBlocks.sameBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskTierTest {

    private static final long BLOCK = 40;

    @TempDir
    Path temp;

    private DiskTier tier(int blocks, long maxFileBytes) {
        return new DiskTier(new DiskTierConfig(temp.resolve("spill"), blocks * BLOCK, 0, 2, maxFileBytes), BLOCK);
    }

    @Test
    void blocksRoundTripThroughSlotsSpreadOverSeveralFiles() throws IOException {
        try (DiskTier tier = tier(10, 3 * 128)) { // 3 slots of 128 bytes (32 header + 40 payload, rounded) per file
            assertThat(tier.files()).hasSize(4);
            for (int i = 0; i < 10; i++) {
                tier.put(new BlockKey(5, i), pattern(BLOCK, i));
            }
            assertThatThrownBy(() -> tier.put(new BlockKey(5, 10), pattern(BLOCK, 10)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Cannot store block 5/10 in the disk tier: all 10 slots are in use");
            MemorySegment out = buffer(BLOCK);
            for (int i = 9; i >= 0; i--) {
                assertThat(tier.get(new BlockKey(5, i), out)).isTrue();
                assertThat(sameBytes(out, pattern(BLOCK, i))).as("block %d", i).isTrue();
            }
            assertThat(Files.size(tier.files().getLast())).isEqualTo(SlotHeader.BYTES + BLOCK); // slot 9 alone
        }
    }

    @Test
    void removedSlotsAreReusedAndAbsentKeysAreNotFound() throws IOException {
        try (DiskTier tier = tier(2, 1 << 20)) {
            tier.put(new BlockKey(1, 0), pattern(BLOCK, 1));
            tier.put(new BlockKey(1, 1), pattern(BLOCK, 2));
            assertThat(tier.remove(new BlockKey(1, 0))).isTrue();
            tier.put(new BlockKey(1, 2), pattern(BLOCK, 3));
            MemorySegment out = buffer(BLOCK);
            assertThat(tier.get(new BlockKey(1, 0), out)).isFalse();
            assertThat(tier.read(new BlockKey(1, 0), block -> { })).isFalse();
            assertThat(tier.get(new BlockKey(1, 2), out)).isTrue();
            assertThat(sameBytes(out, pattern(BLOCK, 3))).isTrue();
            assertThat(tier.usedBytes()).isEqualTo(2 * BLOCK);
        }
    }

    @Test
    void putWithAndReadGoThroughAStagingBuffer() throws IOException {
        try (DiskTier tier = tier(2, 1 << 20)) {
            tier.putWith(new BlockKey(1, 0), slot -> TestBlocks.fill(slot, 9));
            MemorySegment seen = buffer(BLOCK);
            assertThat(tier.read(new BlockKey(1, 0), seen::copyFrom)).isTrue();
            assertThat(sameBytes(seen, pattern(BLOCK, 9))).isTrue();
        }
    }

    @Test
    void spillFilesAreDeletedOnClose() throws IOException {
        List<Path> files;
        try (DiskTier tier = tier(4, 1 << 20)) {
            tier.put(new BlockKey(1, 0), pattern(BLOCK, 1));
            files = tier.files();
            assertThat(files).allSatisfy(f -> assertThat(f).exists()
                    .satisfies(p -> assertThat(p.getFileName().toString()).startsWith(SpillDirectory.FILE_PREFIX)));
        }
        assertThat(files).allSatisfy(f -> assertThat(f).doesNotExist());
    }

    @Test
    void aFlippedBitOnDiskIsCaughtByTheChecksumAndTheBlockForgotten() throws IOException {
        try (DiskTier tier = tier(2, 1 << 20)) {
            BlockKey key = new BlockKey(3, 1);
            tier.put(key, pattern(BLOCK, 1));
            try (RandomAccessFile file = new RandomAccessFile(tier.files().getFirst().toFile(), "rw")) {
                file.seek(SlotHeader.BYTES + 17);
                int b = file.read();
                file.seek(SlotHeader.BYTES + 17);
                file.write(b ^ 0x04);
            }
            assertThatThrownBy(() -> tier.get(key, buffer(BLOCK)))
                    .isInstanceOf(CorruptBlockException.class)
                    .hasMessageStartingWith("Cannot read block 3/1 from spill file " + tier.files().getFirst()
                            + " at offset 0: checksum mismatch (stored 0x")
                    .satisfies(e -> assertThat(((CorruptBlockException) e).key()).isEqualTo(key));
            assertThat(tier.contains(key)).isFalse();
            assertThat(tier.usedBlocks()).isZero();
        }
    }

    @Test
    void aSlotHoldingAnotherKeysBlockFailsVerification() throws IOException {
        try (DiskTier tier = tier(2, 1 << 20)) {
            tier.put(new BlockKey(1, 0), pattern(BLOCK, 1));
            tier.put(new BlockKey(1, 1), pattern(BLOCK, 1));
            Path file = tier.files().getFirst();
            byte[] bytes = Files.readAllBytes(file);
            System.arraycopy(bytes, 128, bytes, 0, SlotHeader.BYTES + (int) BLOCK); // slot 0 now holds block 1/1's header and payload
            Files.write(file, bytes);
            assertThatThrownBy(() -> tier.get(new BlockKey(1, 0), buffer(BLOCK)))
                    .isInstanceOf(CorruptBlockException.class)
                    .hasMessageEndingWith("the header names block 1/1 of 40 bytes");
        }
    }

    @Test
    void manyAsynchronousWritesAndReadsOnTheIoPoolKeepEveryBlockIntact() throws Exception {
        int n = 200;
        try (DiskTier tier = tier(n, 64 * 128)) {
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            List<MemorySegment> payloads = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                payloads.add(pattern(BLOCK, i));
                writes.add(tier.putAsync(new BlockKey(i % 7, i), payloads.get(i)));
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
            List<CompletableFuture<Boolean>> reads = new ArrayList<>();
            List<MemorySegment> outs = new ArrayList<>();
            for (int i = n - 1; i >= 0; i--) {
                MemorySegment out = buffer(BLOCK);
                outs.add(out);
                reads.add(tier.getAsync(new BlockKey(i % 7, i), out));
            }
            for (int j = 0; j < n; j++) {
                assertThat(reads.get(j).join()).isTrue();
                assertThat(sameBytes(outs.get(j), payloads.get(n - 1 - j))).isTrue();
            }
            assertThat(tier.getAsync(new BlockKey(99, 0), buffer(BLOCK)).join()).isFalse();
        }
    }

    @Test
    void theCapacityMustHoldABlock() {
        assertThatThrownBy(() -> new DiskTier(DiskTierConfig.of(temp, BLOCK - 1), BLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot create the disk tier: a capacity of 39 bytes must hold between 1 and 2^31-8 blocks "
                        + "of 40 bytes");
        assertThatThrownBy(() -> new DiskTierConfig(temp, 100, 0, 0, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot configure the disk tier: ioThreads must be in [1, 64], got 0");
    }
}
