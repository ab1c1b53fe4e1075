package dev.canopy.pipeline.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.canopy.pipeline.generate.InvalidModelException;

/**
 * Finds, on an executor, the model file the driver shipped ({@code SparkContext.addFile}), fetching it where Spark
 * did not. Spark 4 sends a task only the files of its job's artifact session: the file added outside every session
 * reaches an executor with a task of a job run outside one (a plain RDD job), not with those of a session's SQL
 * jobs, so whether an executor has it depends on which tasks it happened to run. In order:
 * <ol>
 *   <li>where {@code SparkFiles.get} names it;
 *   <li>a copy with the driver's fingerprint in the executor's file root or a folder below it (a session's);
 *   <li>a copy fetched now from the driver's file server into the file root;
 *   <li>the driver's own path, where this machine has the same file there (a shared file system, or one machine).
 * </ol>
 * Otherwise the error says where it looked and what the file root holds.
 */
final class ShippedModel {

    private static final Logger LOG = LoggerFactory.getLogger(ShippedModel.class);
    private static final int LISTED_ENTRIES = 20;

    private ShippedModel() {}

    /**
     * The local copy of {@code modelPath}, shipped as {@code shipped}.
     *
     * @throws InvalidModelException naming the model, where it was looked for and what the file root holds
     */
    static Path find(String modelPath, ShippedFile shipped) {
        // the shipped file's name: a checkpoint directory ships as its converted GGUF (ModelSource)
        String name = shipped.source().map(u -> u.substring(u.lastIndexOf('/') + 1))
                .orElse(ModelSource.localPath(modelPath).getFileName().toString());
        Path expected = Path.of(SparkFiles.get(name)).toAbsolutePath();
        if (Files.isRegularFile(expected)) {
            return expected;
        }
        Path root = Path.of(SparkFiles.getRootDirectory()).toAbsolutePath();
        Optional<Path> found = candidates(root, name).stream().filter(p -> matches(p, shipped.fingerprint()))
                .findFirst();
        if (found.isPresent()) {
            LOG.info("The shipped model {} is at {}", name, found.get());
            return found.get();
        }
        Optional<Path> fetched = shipped.source().flatMap(url -> fetch(url, root.resolve(name), shipped.fingerprint()));
        if (fetched.isPresent()) {
            return fetched.get();
        }
        Path original = ModelSource.localPath(modelPath);
        if (matches(original, shipped.fingerprint())) {
            LOG.warn("The shipped model {} is not on this executor and could not be fetched; opening {}, the same "
                    + "file on this machine", name, original);
            return original;
        }
        throw new InvalidModelException("Cannot open model '" + modelPath + "': the copy the driver shipped is not at "
                + expected + " on this executor, nor in its file root " + root + " or a folder below it (it holds "
                + listing(root) + "), it could not be fetched from " + shipped.source().orElse("the driver (no URL)")
                + ", and " + original + " here is not the same file");
    }

    /** {@code root/name} and {@code root/<folder>/name} for every folder in {@code root}. */
    private static List<Path> candidates(Path root, String name) {
        List<Path> paths = new ArrayList<>();
        paths.add(root.resolve(name));
        try (Stream<Path> entries = Files.list(root)) {
            entries.filter(Files::isDirectory).sorted().forEach(d -> paths.add(d.resolve(name)));
        } catch (IOException e) {
            LOG.warn("Cannot list the executor's file root {}: {}", root, e.getMessage());
        }
        return paths;
    }

    /** The file at {@code url} of the driver's file server, copied to {@code target}, if it has the fingerprint. */
    private static Optional<Path> fetch(String url, Path target, String fingerprint) {
        SparkEnv env = SparkEnv.get();
        if (env == null || !url.startsWith("spark://")) {
            return Optional.empty();
        }
        Path part = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + ".part");
        try (ReadableByteChannel channel = env.rpcEnv().openChannel(url);
             InputStream in = Channels.newInputStream(channel)) {
            long start = System.nanoTime();
            Files.copy(in, part);
            if (!matches(part, fingerprint)) {
                LOG.warn("The model fetched from {} is not the file the driver shipped; not using it", url);
                return Optional.empty();
            }
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("Fetched the shipped model from {} to {} in {} ms (Spark had not sent it to this executor)", url,
                    target, (System.nanoTime() - start) / 1_000_000);
            return Optional.of(target);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot fetch the shipped model from {}: {}", url, e.toString());
            return Optional.empty();
        } finally {
            try {
                Files.deleteIfExists(part);
            } catch (IOException e) {
                LOG.warn("Cannot delete {}: {}", part, e.getMessage());
            }
        }
    }

    private static boolean matches(Path file, String fingerprint) {
        try {
            return Files.isRegularFile(file) && ModelFingerprint.of(file).equals(fingerprint);
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    private static String listing(Path root) {
        try (Stream<Path> entries = Files.list(root)) {
            List<String> names = entries.map(p -> p.getFileName() + (Files.isDirectory(p) ? "/" : "")).sorted()
                    .toList();
            return names.isEmpty() ? "nothing" : names.size() <= LISTED_ENTRIES ? String.join(", ", names)
                    : String.join(", ", names.subList(0, LISTED_ENTRIES)) + " and " + (names.size() - LISTED_ENTRIES)
                            + " more";
        } catch (IOException e) {
            return "what could not be listed: " + e.getMessage();
        }
    }
}
