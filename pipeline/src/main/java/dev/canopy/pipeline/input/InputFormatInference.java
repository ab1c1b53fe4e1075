package dev.canopy.pipeline.input;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The input format of a location when none is given: from a file's extension, or the extensions of the data files
 * in a directory (files and folders whose names start with "_" or "." are skipped, as Spark does). JSON files are
 * told apart by their first line: a line with {@code custom_id} and {@code body} is an OpenAI batch request, one
 * starting with "[" a multi-line JSON document, anything else JSON Lines (Spark's own default for JSON). A location
 * that does not exist keeps its extension's format (reading it then names the missing path); without one, a name
 * such as {@code db.table} is a catalog table.
 */
public final class InputFormatInference {

    private static final Logger LOG = LoggerFactory.getLogger(InputFormatInference.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][\\w]*(\\.[A-Za-z_][\\w]*){0,2}");
    private static final Pattern COMPRESSION = Pattern.compile("\\.(gz|bz2|snappy|zst|lz4|deflate|zstd)$");
    private static final int FILES_EXAMINED = 64;

    private InputFormatInference() {}

    /**
     * The format of {@code location}, logged with the reason.
     *
     * @throws InvalidInputException when the location is missing, or its files have no known or several formats
     */
    public static InputFormat infer(String location, Configuration hadoopConf) {
        Path path = new Path(location);
        try {
            FileSystem fs = path.getFileSystem(hadoopConf);
            if (!fs.exists(path)) {
                return missing(location);
            }
            FileStatus status = fs.getFileStatus(path);
            InputFormat format = status.isDirectory() ? ofDirectory(fs, path) : ofFile(fs, path);
            LOG.info("Input '{}' read as {} (inferred from {}; give --input-format to choose)", location,
                    format.label(), status.isDirectory() ? "the files in the directory" : "the file's name and first line");
            return format;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot infer the format of input '" + location + "': " + e.getMessage(), e);
        }
    }

    /** A location that does not exist (yet): its extension's format, so that reading it names the missing path. */
    private static InputFormat missing(String location) {
        String ext = extension(location);
        InputFormat format = switch (ext) {
            case "parquet" -> InputFormat.PARQUET;
            case "csv" -> InputFormat.CSV;
            case "jsonl", "ndjson", "json" -> InputFormat.JSONL;
            default -> null;
        };
        if (format != null) {
            LOG.info("Input '{}' (not found) would be read as {}, by its extension", location, format.label());
            return format;
        }
        if (TABLE_NAME.matcher(location).matches()) {
            LOG.info("Input '{}' read as a catalog table (no file or directory of that name)", location);
            return InputFormat.TABLE;
        }
        throw new InvalidInputException("Cannot read input '" + location + "': no such file or directory, and the"
                + " name is not a table name; give an existing path, or a table with --input-format table");
    }

    private static InputFormat ofDirectory(FileSystem fs, Path location) throws IOException {
        Path dir = fs.makeQualified(location);
        Map<String, InputFormat> formats = new TreeMap<>(); // file name -> format, one per format
        RemoteIterator<LocatedFileStatus> files = fs.listFiles(dir, true);
        int examined = 0;
        while (files.hasNext() && examined < FILES_EXAMINED) {
            Path file = files.next().getPath();
            if (hidden(dir, file)) {
                continue;
            }
            examined++;
            InputFormat format = ofFile(fs, file);
            if (!formats.containsValue(format)) {
                formats.put(file.getName(), format);
            }
        }
        if (formats.isEmpty()) {
            throw new InvalidInputException("Cannot infer the format of input '" + dir + "': the directory holds no"
                    + " data files; give --input-format");
        }
        if (formats.size() > 1) {
            throw new InvalidInputException("Cannot infer the format of input '" + dir + "': its files are of "
                    + formats.size() + " formats (" + describe(formats) + "); give --input-format or keep one format"
                    + " per directory");
        }
        return formats.values().iterator().next();
    }

    private static InputFormat ofFile(FileSystem fs, Path file) throws IOException {
        String ext = extension(file.getName());
        return switch (ext) {
            case "parquet" -> InputFormat.PARQUET;
            case "csv" -> InputFormat.CSV;
            case "jsonl", "ndjson", "json" -> ofJson(fs, file);
            default -> throw new InvalidInputException("Cannot infer the format of input file '" + file + "': "
                    + (ext.isEmpty() ? "it has no extension" : "its extension ." + ext + " is none of .parquet,"
                    + " .jsonl, .ndjson, .json, .csv") + "; give --input-format parquet|jsonl|json|csv|openai-batch");
        };
    }

    private static InputFormat ofJson(FileSystem fs, Path file) throws IOException {
        if (!COMPRESSION.matcher(file.getName()).find()) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
                String first = in.readLine();
                if (first != null && first.strip().startsWith("[")) {
                    return InputFormat.JSON;
                }
                if (first != null && isOpenAiRequest(first)) {
                    return InputFormat.OPENAI_BATCH;
                }
            }
        }
        return InputFormat.JSONL;
    }

    private static boolean isOpenAiRequest(String line) {
        try {
            JsonNode node = JSON.readTree(line);
            return node != null && node.has(OpenAiBatchInput.ID_COLUMN) && node.path("body").isObject();
        } catch (IOException e) { // not one JSON object per line: JSON Lines' reader reports the row
            return false;
        }
    }

    /** The data extension, lower case, past a compression suffix: "a.jsonl.gz" gives "jsonl"; "" when none. */
    static String extension(String name) {
        String bare = COMPRESSION.matcher(name.toLowerCase(Locale.ROOT)).replaceFirst("");
        int slash = bare.lastIndexOf('/');
        int dot = bare.lastIndexOf('.');
        return dot > slash + 1 ? bare.substring(dot + 1) : "";
    }

    private static boolean hidden(Path root, Path file) {
        for (Path p = file; p != null && !p.equals(root); p = p.getParent()) {
            if (p.getName().startsWith("_") || p.getName().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Map<String, InputFormat> formats) {
        StringBuilder text = new StringBuilder();
        formats.forEach((name, format) -> text.append(text.isEmpty() ? "" : ", ").append(name).append(": ")
                .append(format.label()));
        return text.toString();
    }
}
