package dev.canopy.pipeline.engine;

import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileChecksum;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;

import dev.canopy.pipeline.generate.InvalidModelException;

import scala.reflect.ClassTag$;

/**
 * A {@code --model} on a Hadoop file system ({@code hdfs://}, {@code s3a://}, {@code abfs://}, {@code gs://}...):
 * a GGUF file or a checkpoint directory, described once on the driver and copied by each machine that generates
 * ({@link RemoteModelCache}).
 *
 * <p>The fingerprint names the content without reading it: per file its name, length, modification time and the
 * file system's checksum where it has one (HDFS: an MD5 over the blocks' CRCs, computed by the datanodes from
 * their checksum files, so it covers every byte at a fraction of a read; S3A with
 * {@code fs.s3a.etag.checksum.enabled}: the ETag). A head/tail hash would cost two remote reads per describe and
 * still miss a change in the middle; length and modification time alone catch every rewrite on object stores,
 * whose objects are immutable. Equality is the URI and fingerprint: the Hadoop configuration and the metric
 * accumulator travel with it but do not make another model of it (it is part of an engine cache key).
 */
final class RemoteModel implements Serializable {

    private static final long serialVersionUID = 1L;

    /** One file of the model: its name in the model (the file's own name, or a name in the directory), length. */
    record Entry(String name, long length, long modificationTime) implements Serializable {}

    private final String uri;
    private final boolean directory;
    private final List<Entry> entries;
    private final String fingerprint;
    // the Hadoop configuration: broadcast once per job (a Configuration serializes to ~100 KB, too much per task),
    // or held here where there is no job to broadcast it with
    private final Broadcast<SerializableConfiguration> sharedConf;
    private final SerializableConfiguration conf;
    private final LongAccumulator bytesCopied; // null: copies are not counted (no job to count them for)

    private RemoteModel(String uri, boolean directory, List<Entry> entries, String fingerprint,
                        Broadcast<SerializableConfiguration> sharedConf, SerializableConfiguration conf,
                        LongAccumulator bytesCopied) {
        this.uri = uri;
        this.directory = directory;
        this.entries = List.copyOf(entries);
        this.fingerprint = fingerprint;
        this.sharedConf = sharedConf;
        this.conf = conf;
        this.bytesCopied = bytesCopied;
    }

    /**
     * {@code model} as a job on {@code context} reads it: described with the context's Hadoop configuration, which
     * is broadcast to the executors, and copies counted on a new {@code canopy.modelBytesCopied} accumulator.
     */
    static RemoteModel forJob(String model, SparkContext context) {
        RemoteModel described = resolve(model, context.hadoopConfiguration(), null);
        Broadcast<SerializableConfiguration> shared = context.broadcast(
                new SerializableConfiguration(context.hadoopConfiguration()),
                ClassTag$.MODULE$.apply(SerializableConfiguration.class));
        return new RemoteModel(model, described.directory, described.entries, described.fingerprint, shared, null,
                context.longAccumulator("canopy.modelBytesCopied"));
    }

    /** Whether {@code model} is a URI with a scheme other than {@code file} (a local path or file:// is not). */
    static boolean isRemote(String model) {
        int scheme = model.indexOf("://");
        return scheme > 0 && !model.substring(0, scheme).equalsIgnoreCase("file");
    }

    /**
     * Describes {@code model} through {@code conf}: its files and fingerprint. Copies done for it are added to
     * {@code bytesCopied} where not null.
     *
     * @throws InvalidModelException when it does not exist, cannot be listed, or is an empty directory
     */
    static RemoteModel resolve(String model, Configuration conf, LongAccumulator bytesCopied) {
        try {
            Path path = new Path(URI.create(model));
            FileSystem fs = path.getFileSystem(conf);
            FileStatus status = fs.getFileStatus(path);
            List<FileStatus> files = new ArrayList<>();
            if (status.isDirectory()) {
                for (FileStatus child : fs.listStatus(path)) {
                    if (child.isFile()) {
                        files.add(child);
                    }
                }
                if (files.isEmpty()) {
                    throw new InvalidModelException("Cannot open model '" + model + "': the directory holds no files;"
                            + " point --model at a GGUF file or a Hugging Face checkpoint directory");
                }
            } else {
                files.add(status);
            }
            files.sort(Comparator.comparing(f -> f.getPath().getName()));
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            List<Entry> entries = new ArrayList<>();
            for (FileStatus f : files) {
                Entry entry = new Entry(f.getPath().getName(), f.getLen(), f.getModificationTime());
                entries.add(entry);
                digest.update((entry + "|" + checksum(fs, f.getPath()) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            String fingerprint = HexFormat.of().formatHex(digest.digest()).substring(0, 32);
            return new RemoteModel(model, status.isDirectory(), entries, fingerprint, null,
                    new SerializableConfiguration(conf), bytesCopied);
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidModelException("Cannot open model '" + model + "': " + e
                    + "; check the URI and that this machine's Hadoop configuration reaches its file system", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Cannot fingerprint model: this JVM has no SHA-256", e);
        }
    }

    /** The Hadoop configuration of the active Spark session, else Hadoop's defaults (and its site files). */
    static Configuration currentConf() {
        return SparkSession.getActiveSession().isDefined()
                ? SparkSession.getActiveSession().get().sparkContext().hadoopConfiguration()
                : new Configuration();
    }

    private static String checksum(FileSystem fs, Path file) throws IOException {
        FileChecksum sum = fs.getFileChecksum(file);
        return sum == null ? "none" : sum.getAlgorithmName() + ":" + HexFormat.of().formatHex(sum.getBytes());
    }

    String uri() {
        return uri;
    }

    /** The model's name: the file's or the directory's own name. */
    String name() {
        return nameOf(uri);
    }

    /** The last segment of {@code uri}'s path: a file's or a directory's own name. */
    static String nameOf(String uri) {
        return new Path(URI.create(uri)).getName();
    }

    boolean directory() {
        return directory;
    }

    List<Entry> entries() {
        return entries;
    }

    String fingerprint() {
        return fingerprint;
    }

    long totalBytes() {
        return entries.stream().mapToLong(Entry::length).sum();
    }

    Configuration conf() {
        return sharedConf != null ? sharedConf.value().value() : conf.value();
    }

    /** Counts {@code bytes} copied for this model (on an executor: sent to the driver with the task's result). */
    void countCopied(long bytes) {
        if (bytesCopied != null) {
            bytesCopied.add(bytes);
        }
    }

    /** Bytes copied so far for this model, by every task of this Spark application (on the driver). */
    long bytesCopied() {
        return bytesCopied == null ? 0 : bytesCopied.value();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RemoteModel other && uri.equals(other.uri) && fingerprint.equals(other.fingerprint);
    }

    @Override
    public int hashCode() {
        return Objects.hash(uri, fingerprint);
    }

    @Override
    public String toString() {
        return uri + " (" + fingerprint + ")";
    }
}
