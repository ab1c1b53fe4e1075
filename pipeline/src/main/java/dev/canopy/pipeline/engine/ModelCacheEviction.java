package dev.canopy.pipeline.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link RemoteModelCache} root under a size cap by deleting the least recently used copies that no
 * process is using.
 *
 * <ul>
 *   <li><b>In use</b>: a JVM that opens a copy holds a shared lock on {@code <root>/<fingerprint>.lock} until it
 *       exits (its engine maps the files for the JVM's lifetime; the operating system drops the lock when the
 *       process ends, also when it crashes). A copy is deleted only under an exclusive lock, so never while a
 *       process maps it. Lock files stay (deleting one would let two processes lock different files of one name).
 *   <li><b>Recently used</b>: each use sets the copy folder's modification time; the oldest goes first.
 *   <li>A copy is first renamed out of place, so a process looking for it sees it whole or not at all.
 * </ul>
 *
 * A model larger than the cap by itself is still copied (the job could not run otherwise), with a warning.
 */
final class ModelCacheEviction {

    private static final Logger LOG = LoggerFactory.getLogger(ModelCacheEviction.class);
    /** This JVM's shared locks, by lock file: the copies it uses. */
    private static final Map<Path, FileLock> HELD = new HashMap<>();

    private ModelCacheEviction() {}

    /** Marks the copy {@code fingerprint} under {@code root} in use by this JVM until it exits. */
    static synchronized void hold(Path root, String fingerprint) throws IOException {
        Path lockFile = lockFile(root, fingerprint);
        if (!HELD.containsKey(lockFile)) {
            Files.createDirectories(root);
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            HELD.put(lockFile, channel.lock(0, Long.MAX_VALUE, true));
        }
    }

    /** Records a use of the copy in {@code folder} (its modification time orders eviction). */
    static void touch(Path folder) throws IOException {
        Files.setLastModifiedTime(folder, FileTime.fromMillis(System.currentTimeMillis()));
    }

    /**
     * Deletes the least recently used copies under {@code root} that no process holds until {@code needed} more
     * bytes fit under {@code maxBytes}, or nothing more can go.
     */
    static synchronized void makeRoom(Path root, long needed, long maxBytes) throws IOException {
        List<Path> copies = copies(root);
        long total = 0;
        Map<Path, Long> sizes = new HashMap<>();
        for (Path copy : copies) {
            sizes.put(copy, size(copy));
            total += sizes.get(copy);
        }
        copies.sort(Comparator.comparing(ModelCacheEviction::lastUsed));
        for (Path copy : copies) {
            if (total + needed <= maxBytes) {
                return;
            }
            if (evictIfUnused(root, copy)) {
                total -= sizes.get(copy);
                LOG.info("Evicted model copy {} ({} bytes, least recently used) to stay under {} bytes", copy,
                        sizes.get(copy), maxBytes);
            }
        }
        if (total + needed > maxBytes) {
            LOG.warn("Model cache {} will hold {} bytes, over its cap of {}: the copies left are in use", root,
                    total + needed, maxBytes);
        }
    }

    private static boolean evictIfUnused(Path root, Path copy) throws IOException {
        Path lockFile = lockFile(root, copy.getFileName().toString());
        if (HELD.containsKey(lockFile)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE); FileLock lock = tryLock(channel)) {
            if (lock == null) {
                return false; // another process maps it
            }
            Path gone = root.resolve(copy.getFileName() + "." + UUID.randomUUID() + ".evicting");
            Files.move(copy, gone, StandardCopyOption.ATOMIC_MOVE);
            delete(gone);
            return true;
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null; // this JVM holds it through another channel
        }
    }

    /** The finished copies under {@code root}: folders named by a fingerprint (no dot: not .part, not .evicting). */
    private static List<Path> copies(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return new ArrayList<>();
        }
        try (Stream<Path> entries = Files.list(root)) {
            return new ArrayList<>(entries.filter(Files::isDirectory)
                    .filter(p -> !p.getFileName().toString().contains(".")).toList());
        }
    }

    private static Path lockFile(Path root, String fingerprint) {
        return root.resolve(fingerprint + ".lock");
    }

    private static FileTime lastUsed(Path copy) {
        try {
            return Files.getLastModifiedTime(copy);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path copy) throws IOException {
        try (Stream<Path> files = Files.walk(copy)) {
            long bytes = 0;
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                bytes += Files.size(f);
            }
            return bytes;
        }
    }

    /** Deletes {@code dir} and everything in it. */
    static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
