package dev.canopy.offload;

import static dev.canopy.offload.TestBlocks.buffer;
import static dev.canopy.offload.TestBlocks.pattern;
import static dev.canopy.offload.TestBlocks.sameBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskTierFaultTest {

    private static final long BLOCK = 64;

    @TempDir
    Path temp;

    private final FaultySpillFileSystem disk = new FaultySpillFileSystem();

    private DiskTier tier() {
        return new DiskTier(new DiskTierConfig(temp, 8 * BLOCK, 0, 2, 1 << 20), BLOCK, disk);
    }

    @Test
    void aFullDiskFailsTheWriteAndStoresNothing() throws IOException {
        try (DiskTier tier = tier()) {
            tier.put(new BlockKey(1, 0), pattern(BLOCK, 1));
            disk.writeBudget.set(BLOCK + 10); // the payload fits, the header does not
            assertThatThrownBy(() -> tier.put(new BlockKey(1, 1), pattern(BLOCK, 2)))
                    .isInstanceOf(IOException.class)
                    .hasMessage("No space left on device");
            assertThat(tier.contains(new BlockKey(1, 1))).isFalse();
            assertThat(tier.usedBlocks()).isEqualTo(1);

            assertThatThrownBy(() -> tier.putAsync(new BlockKey(1, 2), pattern(BLOCK, 3)).join())
                    .isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(IOException.class)
                    .hasRootCauseMessage("No space left on device");
            assertThat(tier.usedBlocks()).isEqualTo(1);

            disk.writeBudget.set(-1); // space freed: the tier works again
            tier.put(new BlockKey(1, 1), pattern(BLOCK, 2));
            MemorySegment out = buffer(BLOCK);
            assertThat(tier.get(new BlockKey(1, 0), out)).isTrue();
            assertThat(sameBytes(out, pattern(BLOCK, 1))).isTrue();
        }
    }

    @Test
    void anIoErrorOnReadIsReportedAndTheBlockKept() throws IOException {
        try (DiskTier tier = tier()) {
            tier.put(new BlockKey(1, 0), pattern(BLOCK, 1));
            disk.failReads = true;
            assertThatThrownBy(() -> tier.get(new BlockKey(1, 0), buffer(BLOCK)))
                    .isInstanceOf(IOException.class)
                    .hasMessage("Input/output error");
            assertThatThrownBy(() -> tier.getAsync(new BlockKey(1, 0), buffer(BLOCK)).join())
                    .hasRootCauseMessage("Input/output error");
            disk.failReads = false;
            MemorySegment out = buffer(BLOCK);
            assertThat(tier.get(new BlockKey(1, 0), out)).isTrue();
            assertThat(sameBytes(out, pattern(BLOCK, 1))).isTrue();
        }
    }

    @Test
    void damagedBytesFromTheDiskAreNeverReturned() throws IOException {
        try (DiskTier tier = tier()) {
            for (int i = 0; i < 4; i++) {
                tier.put(new BlockKey(1, i), pattern(BLOCK, i));
            }
            disk.corruptReads = true;
            for (int i = 0; i < 4; i++) {
                BlockKey key = new BlockKey(1, i);
                assertThatThrownBy(() -> tier.get(key, buffer(BLOCK))).isInstanceOf(CorruptBlockException.class);
                assertThat(tier.contains(key)).isFalse();
            }
            assertThat(tier.usedBlocks()).isZero();
        }
    }
}
