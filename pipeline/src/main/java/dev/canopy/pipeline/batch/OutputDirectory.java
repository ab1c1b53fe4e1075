package dev.canopy.pipeline.batch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Optional;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The job's output directory on any Hadoop file system: committed part files, plus the job's own files, whose
 * names start with "_" so Spark readers skip them.
 */
public final class OutputDirectory {

    /** Written last, only when every input row has its output row. */
    public static final String SUCCESS = "_SUCCESS";
    /** The metrics JSON of the last run. */
    public static final String METRICS = "_canopy_metrics.json";
    /** Every run's metrics, {@code _canopy_runs/<n>.json} with n = 1, 2, ...: a rerun keeps earlier figures. */
    public static final String RUNS = "_canopy_runs";
    /** What the rows were generated with ({@link RunManifest}). */
    public static final String MANIFEST = "_canopy_run.json";
    /** Where the Hadoop committer stages task output; leftovers of a killed run are deleted. */
    static final String TEMPORARY = "_temporary";

    static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final Path root;
    private final FileSystem fs;

    public OutputDirectory(String location, Configuration hadoopConf) {
        this.root = new Path(location);
        try {
            this.fs = root.getFileSystem(hadoopConf);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open output '" + location + "': " + e.getMessage(), e);
        }
    }

    /** The directory's location. */
    public String location() {
        return root.toString();
    }

    /** Whether the directory holds any committed part files (files not starting with "_" or "."). */
    public boolean hasDataFiles() {
        return io("list", () -> fs.exists(root) && Arrays.stream(fs.listStatus(root))
                .map(FileStatus::getPath).map(Path::getName)
                .anyMatch(name -> !name.startsWith("_") && !name.startsWith(".")));
    }

    /** Whether anything at all is at the location. */
    public boolean exists() {
        return io("check", () -> fs.exists(root));
    }

    /** Deletes the directory and everything in it. */
    public void deleteAll() {
        io("delete", () -> fs.delete(root, true));
    }

    /** Deletes what a killed run left staged but uncommitted, and the success marker of an earlier run. */
    public void clearLeftovers() {
        io("clean", () -> fs.delete(new Path(root, TEMPORARY), true) | fs.delete(new Path(root, SUCCESS), false));
    }

    /** The manifest of the rows already there, if any. */
    public Optional<RunManifest> readManifest() {
        Path path = new Path(root, MANIFEST);
        return io("read manifest of", () -> {
            if (!fs.exists(path)) {
                return Optional.empty();
            }
            try (InputStream in = fs.open(path)) {
                return Optional.of(JSON.readValue(in, RunManifest.class));
            }
        });
    }

    /** Writes {@code value} as JSON to the file {@code name} in the directory, replacing it. */
    public void writeJson(String name, Object value) {
        io("write " + name + " in", () -> {
            fs.mkdirs(root);
            try (OutputStream out = fs.create(new Path(root, name), true)) {
                JSON.writeValue(out, value);
            }
            return null;
        });
    }

    /**
     * Writes {@code value} as the next run's metrics, {@code _canopy_runs/<n>.json}, n one past the highest there.
     *
     * @return the file's name in the directory, such as {@code _canopy_runs/3.json}
     */
    public String writeRunJson(Object value) {
        Path runs = new Path(root, RUNS);
        int next = io("list runs in", () -> {
            if (!fs.exists(runs)) {
                return 1;
            }
            return 1 + Arrays.stream(fs.listStatus(runs)).map(s -> s.getPath().getName())
                    .filter(name -> name.matches("\\d{1,9}\\.json"))
                    .mapToInt(name -> Integer.parseInt(name.substring(0, name.length() - ".json".length())))
                    .max().orElse(0);
        });
        String name = RUNS + "/" + next + ".json";
        writeJson(name, value);
        return name;
    }

    private interface IoAction<T> {
        T run() throws IOException;
    }

    private <T> T io(String action, IoAction<T> body) {
        try {
            return body.run();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot " + action + " output '" + root + "': " + e.getMessage(), e);
        }
    }
}
