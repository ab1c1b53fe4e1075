package dev.canopy.pipeline.batch;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A batch job's output as a catalog table ({@code --output-table}): the rows are written with {@code saveAsTable}
 * as an external table whose files are the output directory's, so resuming, the metrics and the manifest work as
 * for a path, and a session whose catalog does not keep tables (Spark's in-memory catalog) finds the table again
 * by registering that directory. File-source tables (parquet, json); Iceberg and Delta tables are not written.
 */
final class OutputTable {

    private static final Logger LOG = LoggerFactory.getLogger(OutputTable.class);

    private final SparkSession spark;
    private final String name;
    private final OutputDirectory out;
    private final OutputFormat format;

    OutputTable(SparkSession spark, String name, OutputDirectory out, OutputFormat format) {
        this.spark = spark;
        this.name = name;
        this.out = out;
        this.format = format;
    }

    /**
     * Before generating: drops the table when overwriting; refuses a table of that name elsewhere; registers the
     * directory's committed rows as the table when the catalog does not have it.
     *
     * @throws OutputConflictException when the table exists at another location
     */
    void prepare(boolean overwrite) {
        if (overwrite) {
            spark.sql("DROP TABLE IF EXISTS " + name);
            return;
        }
        Optional<String> location = location();
        if (location.isPresent() && !sameLocation(location.get())) {
            throw new OutputConflictException("Cannot write to table " + name + ": it is at " + location.get()
                    + ", not at the job's output " + out.location() + "; give --output " + location.get()
                    + " or another --output-table");
        }
        if (location.isEmpty() && out.hasDataFiles()) {
            LOG.info("Registering table {} over the rows committed in {}", name, out.location());
            spark.catalog().createTable(name, format.sparkSource(), tableOptions());
        }
    }

    /**
     * Appends {@code writer}'s rows, of {@code schema}, to the table. A missing table is created empty at the
     * output directory first: creating it by {@code saveAsTable} would overwrite the directory (CTAS), the job's
     * files with it.
     */
    void append(DataFrameWriter<Row> writer, StructType schema) {
        if (!spark.catalog().tableExists(name)) {
            spark.catalog().createTable(name, format.sparkSource(), schema, tableOptions());
        }
        writer.saveAsTable(name);
    }

    /** The table's location and the job's write options, which inserts into the table use. */
    private Map<String, String> tableOptions() {
        Map<String, String> options = new java.util.HashMap<>(BatchRun.WRITE_OPTIONS);
        options.put("path", out.location());
        return options;
    }

    /** After writing: drops cached file listings, so readers of the table see every committed file. */
    void refresh() {
        if (spark.catalog().tableExists(name)) {
            spark.catalog().refreshTable(name);
        }
    }

    private Optional<String> location() {
        if (!spark.catalog().tableExists(name)) {
            return Optional.empty();
        }
        List<Row> rows = spark.sql("DESCRIBE TABLE EXTENDED " + name).collectAsList();
        return rows.stream().filter(r -> "Location".equals(r.getString(0))).map(r -> r.getString(1)).findFirst();
    }

    private boolean sameLocation(String location) {
        return new Path(location).toUri().getPath().equals(new Path(out.location()).toUri().getPath());
    }
}
