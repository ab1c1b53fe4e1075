package dev.canopy.pipeline.engine;

import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

import org.apache.spark.SparkContext;

import scala.jdk.javaapi.CollectionConverters;

/**
 * A model file the driver shipped to the executors ({@code SparkContext.addFile}).
 *
 * @param url         where the driver serves it ({@code spark://host:port/files/<name>}); null if Spark did not list it
 * @param fingerprint its {@link ModelFingerprint}, to recognise a copy
 */
record ShippedFile(String url, String fingerprint) implements Serializable {

    ShippedFile {
        Objects.requireNonNull(fingerprint, "fingerprint");
    }

    /** Where the driver serves the file, if known. */
    Optional<String> source() {
        return Optional.ofNullable(url);
    }

    /** Sends {@code file} to the executors of {@code context} and describes it. */
    static ShippedFile ship(SparkContext context, Path file) {
        String fingerprint = ModelFingerprint.of(file);
        context.addFile(file.toString());
        String name = file.getFileName().toString();
        String url = CollectionConverters.asJava(context.listFiles()).stream()
                .filter(u -> name.equals(lastSegment(u))).findFirst().orElse(null);
        return new ShippedFile(url, fingerprint);
    }

    private static String lastSegment(String url) {
        try {
            String path = URI.create(url).getPath();
            return path == null ? null : Path.of(path).getFileName().toString();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
