package dev.canopy.offload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The directory that holds spill files, checked before any KV is spilled: it exists or can be created, it is
 * writable, and it has at least the configured free space. Spill files are named
 * {@code canopy-spill-<pid>-<tier>-<n>.kv}; files of that pattern whose process is gone are leftovers of a crashed
 * run and are deleted when the directory is opened.
 */
public final class SpillDirectory {

    /** Prefix of every spill file name. */
    public static final String FILE_PREFIX = "canopy-spill-";

    private static final Pattern SPILL_FILE = Pattern.compile(Pattern.quote(FILE_PREFIX) + "(\\d+)-.*\\.kv");

    private final Path directory;
    private final int staleFilesRemoved;

    private SpillDirectory(Path directory, int staleFilesRemoved) {
        this.directory = directory;
        this.staleFilesRemoved = staleFilesRemoved;
    }

    /**
     * Validates {@code directory} (creating it if needed) and deletes stale spill files in it.
     *
     * @throws IllegalArgumentException naming the directory when it is not a directory, cannot be created, is not
     *     writable or has less than {@code minFreeBytes} usable bytes
     */
    public static SpillDirectory open(Path directory, long minFreeBytes) {
        Path dir = directory.toAbsolutePath().normalize();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("Cannot use spill directory " + dir + ": it exists but is not a directory");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot use spill directory " + dir + ": it does not exist and cannot be "
                    + "created (" + e + ")", e);
        }
        try {
            Files.delete(Files.createTempFile(dir, FILE_PREFIX + "probe-", ".tmp"));
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot use spill directory " + dir + ": it is not writable (" + e + ")", e);
        }
        long free = usableSpace(dir);
        if (free < minFreeBytes) {
            throw new IllegalArgumentException("Cannot use spill directory " + dir + ": it has " + free
                    + " usable bytes but at least " + minFreeBytes + " are required (minFreeBytes)");
        }
        return new SpillDirectory(dir, deleteStaleFiles(dir));
    }

    /** The validated directory, absolute. */
    public Path directory() {
        return directory;
    }

    /** Spill files of dead processes deleted when the directory was opened. */
    public int staleFilesRemoved() {
        return staleFilesRemoved;
    }

    /** Path of spill file {@code index} of tier instance {@code tierId} of this process. */
    public Path file(String tierId, int index) {
        return directory.resolve(FILE_PREFIX + ProcessHandle.current().pid() + "-" + tierId + "-" + index + ".kv");
    }

    /** The process id in a spill file name, empty when the name is not a spill file's. */
    static OptionalLong ownerPid(String fileName) {
        Matcher m = SPILL_FILE.matcher(fileName);
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(m.group(1)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static int deleteStaleFiles(Path dir) {
        int deleted = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, FILE_PREFIX + "*.kv")) {
            for (Path file : files) {
                OptionalLong pid = ownerPid(file.getFileName().toString());
                if (pid.isPresent() && ProcessHandle.of(pid.getAsLong()).isEmpty() && Files.deleteIfExists(file)) {
                    deleted++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot clean spill directory " + dir + ": " + e.getMessage(), e);
        }
        return deleted;
    }

    private static long usableSpace(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot use spill directory " + dir + ": its free space cannot be read ("
                    + e + ")", e);
        }
    }
}
