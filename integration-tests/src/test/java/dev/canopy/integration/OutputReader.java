package dev.canopy.integration;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Reads job outputs in the test JVM with one shared local Spark session. */
final class OutputReader {

    private static SparkSession session;

    private OutputReader() {}

    static synchronized SparkSession spark() {
        if (session == null || session.sparkContext().isStopped()) { // LibraryOnClusterTest stops it
            session = SparkSession.builder().master("local[1]").appName("canopy-integration-tests")
                    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1")
                    .config("spark.driver.host", "127.0.0.1").getOrCreate();
        }
        return session;
    }

    /** The {@code column} of every output row, by id; fails on a repeated id. */
    static Map<String, String> byId(Path output, String column) {
        Map<String, String> values = new HashMap<>();
        List<Row> rows = spark().read().parquet(output.toString()).select("id", column).collectAsList();
        for (Row row : rows) {
            if (values.put(row.getString(0), row.getString(1)) != null) {
                throw new AssertionError("id " + row.getString(0) + " appears twice in " + output);
            }
        }
        return values;
    }

    /** Rows in the committed part files of {@code output} now. */
    static long committedRows(Path output) {
        return spark().read().parquet(output.toString()).count();
    }
}
