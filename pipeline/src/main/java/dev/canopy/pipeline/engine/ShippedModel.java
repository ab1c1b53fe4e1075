package dev.canopy.pipeline.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.apache.spark.SparkFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.canopy.pipeline.generate.InvalidModelException;

/**
 * Finds, on an executor, the model file the driver shipped ({@code SparkContext.addFile}). Spark fetches it into
 * the executor's file root, or into a folder of the job's artifact session below it, and {@code SparkFiles.get}
 * names the place that the task thread's session implies. Where that place has no copy, the root and its session
 * folders are searched for one with the driver's fingerprint; failing that, the driver's own path is used where
 * this machine has the same file there (a shared file system, or one machine). Otherwise the error lists what the
 * file root holds.
 */
final class ShippedModel {

    private static final Logger LOG = LoggerFactory.getLogger(ShippedModel.class);
    private static final int LISTED_ENTRIES = 20;

    private ShippedModel() {}

    /**
     * The local copy of {@code modelPath} whose content has {@code fingerprint} ({@link ModelFingerprint}).
     *
     * @throws InvalidModelException naming the model, where it was looked for and what the file root holds
     */
    static Path find(String modelPath, String fingerprint) {
        String name = Path.of(modelPath).getFileName().toString();
        Path expected = Path.of(SparkFiles.get(name)).toAbsolutePath();
        if (Files.isRegularFile(expected)) {
            return expected;
        }
        Path root = Path.of(SparkFiles.getRootDirectory()).toAbsolutePath();
        Optional<Path> found = candidates(root, name).stream().filter(p -> matches(p, fingerprint)).findFirst();
        if (found.isPresent()) {
            LOG.warn("The shipped model {} is not at {}, where Spark names it, but at {}: opening that copy", name,
                    expected, found.get());
            return found.get();
        }
        Path original = Path.of(modelPath);
        if (matches(original, fingerprint)) {
            LOG.warn("The shipped model {} is not at {} on this executor; opening {}, the same file on this machine",
                    name, expected, original);
            return original;
        }
        throw new InvalidModelException("Cannot open model '" + modelPath + "': the copy the driver shipped is not at "
                + expected + " on this executor, nor in its file root " + root + " or a folder below it (it holds "
                + listing(root) + "), and " + original + " here is not the same file");
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
