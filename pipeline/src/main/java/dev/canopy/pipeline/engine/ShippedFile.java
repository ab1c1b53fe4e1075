package dev.canopy.pipeline.engine;

import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.spark.SparkContext;

import dev.canopy.pipeline.generate.InvalidModelException;

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

    /** What each application shipped: "appId/name" to the fingerprint (Spark serves one file per name). */
    private static final Map<String, String> SHIPPED = new ConcurrentHashMap<>();

    /**
     * Sends {@code file} to the executors of {@code context} and describes it. A file of the same name and content
     * shipped before (the same model loaded from a saved pipeline, say) is served as it is.
     *
     * @throws InvalidModelException when another file of the same name was shipped by this application
     */
    static ShippedFile ship(SparkContext context, Path file) {
        String fingerprint = ModelFingerprint.of(file);
        String name = file.getFileName().toString();
        String key = context.applicationId() + "/" + name;
        String earlier = SHIPPED.get(key);
        if (earlier == null) {
            context.addFile(file.toString());
            SHIPPED.put(key, fingerprint);
        } else if (!earlier.equals(fingerprint)) {
            throw new InvalidModelException("Cannot ship model '" + file + "': this Spark application shipped"
                    + " another file named " + name + " before (fingerprint " + earlier + ", this one " + fingerprint
                    + "), and Spark serves one file per name; give the model file another name");
        }
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
