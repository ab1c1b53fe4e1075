package dev.canopy.offload;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of a {@link DiskTier}.
 *
 * @param directory     spill directory; created if missing
 * @param capacityBytes most bytes of blocks spilled (slot headers not counted); must hold at least one block
 * @param minFreeBytes  usable bytes the directory's file system must have when the tier opens, at least 0
 * @param ioThreads     threads running asynchronous reads and writes, in [1, 64]
 * @param maxFileBytes  largest spill file; slots are spread over as many files as needed, at least 1
 */
public record DiskTierConfig(Path directory, long capacityBytes, long minFreeBytes, int ioThreads, long maxFileBytes) {

    public static final int DEFAULT_IO_THREADS = 2;
    public static final long DEFAULT_MAX_FILE_BYTES = 1L << 30;

    public DiskTierConfig {
        Objects.requireNonNull(directory, "directory");
        if (capacityBytes < 1 || minFreeBytes < 0 || maxFileBytes < 1) {
            throw new IllegalArgumentException("Cannot configure the disk tier: capacityBytes and maxFileBytes must be "
                    + "positive and minFreeBytes at least 0, got capacityBytes=" + capacityBytes + ", minFreeBytes="
                    + minFreeBytes + ", maxFileBytes=" + maxFileBytes);
        }
        if (ioThreads < 1 || ioThreads > 64) {
            throw new IllegalArgumentException("Cannot configure the disk tier: ioThreads must be in [1, 64], got "
                    + ioThreads);
        }
    }

    /** {@code capacityBytes} in {@code directory}, which must have that much free space, with default IO settings. */
    public static DiskTierConfig of(Path directory, long capacityBytes) {
        return new DiskTierConfig(directory, capacityBytes, capacityBytes, DEFAULT_IO_THREADS, DEFAULT_MAX_FILE_BYTES);
    }
}
