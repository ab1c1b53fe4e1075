package dev.canopy.offload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * KV blocks in spill files: fixed-size slots ({@link SlotHeader} + payload) spread over a few files of at most
 * {@code maxFileBytes}, positional reads and writes (asynchronous ones on a small IO pool), a CRC-32C per block
 * verified on every read. The spill directory is validated when the tier opens ({@link SpillDirectory}); the files
 * are deleted on {@link #close()} and, if the JVM exits first, by a shutdown hook.
 *
 * <p>All IO goes through a {@link SpillFileSystem}, the seam tests use to inject faults.
 */
public final class DiskTier extends SlottedTier {

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final long slotBytes;
    private final int slotsPerFile;
    private final SpillDirectory directory;
    private final List<Path> paths = new ArrayList<>();
    private final List<SpillFile> files = new ArrayList<>();
    private final ExecutorService io;
    private final Thread deleteOnExit;
    private final ThreadLocal<MemorySegment> staging; // per thread: (blockBytes) bytes for putWith/read
    private volatile boolean closed;

    /** A tier on real files. */
    public DiskTier(DiskTierConfig config, long blockBytes) {
        this(config, blockBytes, SpillFileSystem.FILES);
    }

    /**
     * A tier whose files come from {@code fileSystem}.
     *
     * @throws IllegalArgumentException when the directory fails validation or the capacity holds no block
     * @throws UncheckedIOException when a spill file cannot be created
     */
    public DiskTier(DiskTierConfig config, long blockBytes, SpillFileSystem fileSystem) {
        super("disk", config.capacityBytes(), blockBytes);
        this.slotBytes = (SlotHeader.BYTES + blockBytes + 63) & ~63L;
        this.slotsPerFile = Math.clamp(config.maxFileBytes() / slotBytes, 1, Integer.MAX_VALUE);
        this.directory = SpillDirectory.open(config.directory(), config.minFreeBytes());
        this.staging = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(blockBytes, 64));
        this.deleteOnExit = Thread.ofPlatform().name("canopy-spill-cleanup").unstarted(this::deleteFiles);
        Runtime.getRuntime().addShutdownHook(deleteOnExit);
        String tierId = Integer.toString(INSTANCES.incrementAndGet());
        try {
            for (int i = 0; i * (long) slotsPerFile < capacityBlocks(); i++) {
                Path path = directory.file(tierId, i);
                paths.add(path);
                files.add(fileSystem.create(path));
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("Cannot create the disk tier: spill file " + paths.getLast()
                    + " cannot be created (" + e.getMessage() + ")", e);
        }
        AtomicInteger threads = new AtomicInteger();
        this.io = Executors.newFixedThreadPool(config.ioThreads(), r -> Thread.ofPlatform().daemon()
                .name("canopy-spill-io-" + tierId + "-" + threads.incrementAndGet()).unstarted(r));
    }

    /** The validated spill directory. */
    public Path directory() {
        return directory.directory();
    }

    /** The spill files, for inspection (they exist until {@link #close()}). */
    public List<Path> files() {
        return List.copyOf(paths);
    }

    @Override
    public void put(BlockKey key, MemorySegment payload) throws IOException {
        requireBlockSized(payload, "store");
        fillSlot(key, reserveSlot(key), slot -> writeSlot(key, slot, payload));
    }

    @Override
    public void putWith(BlockKey key, BlockWriter writer) throws IOException {
        MemorySegment buffer = staging.get();
        fillSlot(key, reserveSlot(key), slot -> {
            writer.write(buffer);
            writeSlot(key, slot, buffer);
        });
    }

    /** Takes the slot now (so a full tier or a duplicate key fails at once) and writes on the IO pool. */
    @Override
    public CompletableFuture<Void> putAsync(BlockKey key, MemorySegment payload) {
        requireBlockSized(payload, "store");
        int reserved = reserveSlot(key);
        return CompletableFuture.runAsync(() -> {
            try {
                fillSlot(key, reserved, slot -> writeSlot(key, slot, payload));
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, io);
    }

    @Override
    public boolean get(BlockKey key, MemorySegment dst) throws IOException {
        requireBlockSized(dst, "read");
        return readSlot(key, slot -> readVerified(key, slot, dst));
    }

    /** Reads on the IO pool; a block removed before the read starts is not found. */
    @Override
    public CompletableFuture<Boolean> getAsync(BlockKey key, MemorySegment dst) {
        requireBlockSized(dst, "read");
        return CompletableFuture.supplyAsync(() -> {
            try {
                return get(key, dst);
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, io);
    }

    @Override
    public boolean read(BlockKey key, BlockReader reader) throws IOException {
        MemorySegment buffer = staging.get();
        if (!get(key, buffer)) {
            return false;
        }
        reader.read(buffer.asReadOnly());
        return true;
    }

    /** Waits for asynchronous IO, closes and deletes the spill files. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (io != null) {
            io.shutdown();
            try {
                io.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (SpillFile file : files) {
            try {
                file.close();
            } catch (IOException e) {
                // deleting the file below is what matters
            }
        }
        deleteFiles();
        try {
            Runtime.getRuntime().removeShutdownHook(deleteOnExit);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
    }

    private void writeSlot(BlockKey key, int slot, MemorySegment payload) throws IOException {
        ByteBuffer data = payload.asByteBuffer();
        ByteBuffer header = SlotHeader.encode(key, data);
        long at = offset(slot);
        writeFully(slot, data, at + SlotHeader.BYTES);
        writeFully(slot, header, at);
    }

    private void readVerified(BlockKey key, int slot, MemorySegment dst) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(SlotHeader.BYTES);
        ByteBuffer data = dst.asByteBuffer();
        long at = offset(slot);
        Optional<String> damage = readFully(slot, header, at) && readFully(slot, data, at + SlotHeader.BYTES)
                ? SlotHeader.verify(key, header.flip(), data.flip())
                : Optional.of("the slot is cut short by the end of the file");
        if (damage.isPresent()) {
            forgetDamaged(key, slot);
            throw new CorruptBlockException(key, "Cannot read block " + key + " from spill file " + path(slot)
                    + " at offset " + at + ": " + damage.get());
        }
    }

    private void writeFully(int slot, ByteBuffer src, long position) throws IOException {
        SpillFile file = file(slot);
        while (src.hasRemaining()) {
            file.write(src, position + src.position());
        }
    }

    /** Fills {@code dst}; false when the file ends first. */
    private boolean readFully(int slot, ByteBuffer dst, long position) throws IOException {
        SpillFile file = file(slot);
        while (dst.hasRemaining()) {
            if (file.read(dst, position + dst.position()) < 0) {
                return false;
            }
        }
        return true;
    }

    private SpillFile file(int slot) {
        if (closed) {
            throw new IllegalStateException("Cannot use the disk tier in " + directory.directory() + ": it is closed");
        }
        return files.get(slot / slotsPerFile);
    }

    private Path path(int slot) {
        return paths.get(slot / slotsPerFile);
    }

    private long offset(int slot) {
        return (slot % slotsPerFile) * slotBytes;
    }

    private void deleteFiles() {
        for (Path path : paths) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // best effort: a leftover file is removed as stale by the next run
            }
        }
    }

    @Override
    public String toString() {
        return "DiskTier[" + usedBlocks() + "/" + capacityBlocks() + " blocks of " + blockBytes() + " bytes in "
                + directory.directory() + "]";
    }
}
