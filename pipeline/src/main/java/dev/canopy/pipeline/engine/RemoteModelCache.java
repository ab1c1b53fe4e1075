package dev.canopy.pipeline.engine;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.canopy.pipeline.generate.InvalidModelException;

/**
 * This machine's copies of {@link RemoteModel}s: {@code <root>/<fingerprint>/<name>} (the file, or the directory
 * with its files). A copy is written into {@code <root>/<fingerprint>.<random>.part} and renamed into place in one
 * atomic move, so a reader never sees half a model and two tasks or JVMs racing for it keep one copy (the loser
 * deletes its own). Once there it is reused by every later task and job on the machine; the root is
 * {@code $CANOPY_MODEL_CACHE}, else {@code <java.io.tmpdir>/canopy-models}. A changed model gets a new
 * fingerprint; with a cap ({@value #MAX_BYTES}) the least recently used copies no process uses are evicted to make
 * room ({@link ModelCacheEviction}), else old folders stay until deleted.
 */
final class RemoteModelCache {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteModelCache.class);

    private RemoteModelCache() {}

    /** Spark setting: the most bytes an executor machine's model cache may hold ({@code 50g}; unset: no cap). */
    static final String MAX_BYTES = "spark.canopy.modelCache.maxBytes";

    /** {@value #MAX_BYTES} of this executor's Spark configuration, in bytes; 0 (no cap) when unset or outside Spark. */
    static long configuredMaxBytes() {
        org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
        return env == null || !env.conf().contains(MAX_BYTES) ? 0 : env.conf().getSizeAsBytes(MAX_BYTES);
    }

    /** {@code $CANOPY_MODEL_CACHE}, else {@code <java.io.tmpdir>/canopy-models}. */
    static Path defaultRoot() {
        String env = System.getenv("CANOPY_MODEL_CACHE");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("java.io.tmpdir"),
                "canopy-models");
    }

    /**
     * The local copy of {@code model} under {@code root}, copying it first if this machine has none; the bytes
     * copied are counted on the model's metric.
     *
     * @throws InvalidModelException when the remote files changed since the driver described them, or the copy fails
     */
    static Path localCopy(RemoteModel model, Path root) {
        return localCopy(model, root, 0);
    }

    /**
     * Like {@link #localCopy(RemoteModel, Path)}, keeping {@code root} under {@code maxBytes} (0: no cap) by
     * evicting the least recently used copies no process uses ({@link ModelCacheEviction}) before copying. The copy
     * returned is held in use by this JVM until it exits.
     */
    static synchronized Path localCopy(RemoteModel model, Path root, long maxBytes) {
        Path done = root.resolve(model.fingerprint());
        Path local = done.resolve(model.name());
        Path part = root.resolve(model.fingerprint() + "." + UUID.randomUUID() + ".part");
        try {
            ModelCacheEviction.hold(root, model.fingerprint()); // before looking, so no process evicts it meanwhile
            if (Files.exists(local)) {
                ModelCacheEviction.touch(done);
                return local;
            }
            if (maxBytes > 0) {
                ModelCacheEviction.makeRoom(root, model.totalBytes(), maxBytes);
            }
            long start = System.nanoTime();
            Files.createDirectories(part);
            long bytes = copy(model, part.resolve(model.name()));
            model.countCopied(bytes); // transferred, whether or not this copy wins the move below
            try {
                Files.move(part, done, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                LOG.info("Another process copied model {} first; using its copy", model);
                ModelCacheEviction.touch(done);
                return local;
            }
            LOG.info("Copied model {} to {}: {} bytes in {} ms", model.uri(), local, bytes,
                    (System.nanoTime() - start) / 1_000_000);
            return local;
        } catch (AtomicMoveNotSupportedException e) {
            throw new InvalidModelException("Cannot cache model '" + model.uri() + "' in " + root + ": its file system"
                    + " cannot rename atomically; set CANOPY_MODEL_CACHE to a local directory", e);
        } catch (IOException e) {
            throw new InvalidModelException("Cannot copy model '" + model.uri() + "' to " + root + ": " + e
                    + "; check the space there (it needs " + model.totalBytes() + " bytes) or set CANOPY_MODEL_CACHE", e);
        } finally {
            deleteQuietly(part);
        }
    }

    /** Copies the model's files to {@code target} (a file, or a directory of them); the bytes copied. */
    private static long copy(RemoteModel model, Path target) throws IOException {
        org.apache.hadoop.fs.Path source = new org.apache.hadoop.fs.Path(URI.create(model.uri()));
        FileSystem fs = source.getFileSystem(model.conf());
        if (model.directory()) {
            Files.createDirectories(target);
        }
        long bytes = 0;
        for (RemoteModel.Entry entry : model.entries()) {
            org.apache.hadoop.fs.Path file = model.directory() ? new org.apache.hadoop.fs.Path(source, entry.name())
                    : source;
            checkUnchanged(model, fs.getFileStatus(file), entry);
            Path to = model.directory() ? target.resolve(entry.name()) : target;
            try (InputStream in = fs.open(file)) {
                bytes += Files.copy(in, to);
            }
            if (Files.size(to) != entry.length()) {
                throw new InvalidModelException("Cannot copy model '" + model.uri() + "': " + entry.name() + " gave "
                        + Files.size(to) + " bytes, expected " + entry.length() + "; rerun the job");
            }
        }
        return bytes;
    }

    private static void checkUnchanged(RemoteModel model, FileStatus now, RemoteModel.Entry described) {
        if (now.getLen() != described.length() || now.getModificationTime() != described.modificationTime()) {
            throw new InvalidModelException("Cannot copy model '" + model.uri() + "': " + described.name()
                    + " changed after the job started (length " + described.length() + " -> " + now.getLen()
                    + ", modified " + described.modificationTime() + " -> " + now.getModificationTime()
                    + "); rerun the job once the model is written");
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            ModelCacheEviction.delete(dir);
        } catch (IOException e) {
            LOG.warn("Cannot delete the partial model copy {}: {}", dir, e.getMessage());
        }
    }
}
