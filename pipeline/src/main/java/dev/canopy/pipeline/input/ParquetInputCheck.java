package dev.canopy.pipeline.input;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checks the footer of every Parquet file Spark would read at an input location, on the driver, before Spark
 * parses any of them ({@link ParquetFooterCheck}): a hostile file fails the job up front, naming the file, and
 * nothing is written. Files and folders Spark skips (names starting with {@code _} or {@code .}, except partition
 * folders such as {@code _k=v}) are skipped here too.
 */
public final class ParquetInputCheck {

    private ParquetInputCheck() {}

    /**
     * @throws InvalidInputException naming the first file whose footer is over {@code limits}, or unreadable
     */
    public static void check(Configuration conf, String location, ParquetFooterLimits limits) {
        try {
            Path root = new Path(location);
            FileSystem fs = root.getFileSystem(conf);
            FileStatus[] matches = fs.globStatus(root);
            if (matches == null) {
                return; // no such path: Spark's own error says so
            }
            Deque<FileStatus> pending = new ArrayDeque<>(List.of(matches));
            while (!pending.isEmpty()) {
                FileStatus status = pending.pop();
                if (status.isDirectory()) {
                    for (FileStatus child : fs.listStatus(status.getPath())) {
                        if (!hidden(child.getPath().getName())) {
                            pending.push(child);
                        }
                    }
                } else {
                    checkFile(fs, status, limits);
                }
            }
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read input '" + location + "' as parquet: " + e.getMessage(), e);
        }
    }

    private static void checkFile(FileSystem fs, FileStatus status, ParquetFooterLimits limits) throws IOException {
        long size = status.getLen();
        try (FSDataInputStream in = fs.open(status.getPath())) {
            ParquetFooterCheck.check(status.getPath().toString(), size, (fromEnd, length) -> {
                byte[] bytes = new byte[length];
                in.readFully(size - fromEnd - length, bytes);
                return bytes;
            }, limits);
        }
    }

    /** Spark's rule for names it does not read (InMemoryFileIndex): {@code _x} unless a partition, and {@code .x}. */
    static boolean hidden(String name) {
        return name.startsWith("_") && !name.contains("=") || name.startsWith(".") || name.endsWith("._COPYING_");
    }
}
