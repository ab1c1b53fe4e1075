package dev.canopy.pipeline.input;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Reads the job's input into a {@code Dataset<Row>}, by format. Reading is lazy except for schema discovery. */
public final class InputReader {

    private InputReader() {}

    /**
     * The input as rows; OpenAI batch lines come back flattened to prompt/messages and parameter columns
     * (see {@link OpenAiBatchInput}).
     *
     * @throws InvalidInputException when the location does not exist or cannot be read as {@code spec.format()}
     */
    public static Dataset<Row> read(SparkSession spark, InputSpec spec) {
        String location = spec.location();
        try {
            return switch (spec.format()) {
                case PARQUET -> {
                    ParquetInputCheck.check(spark.sparkContext().hadoopConfiguration(), location,
                            ParquetFooterLimits.from(key -> spark.conf().get(key, null)));
                    yield spark.read().parquet(location);
                }
                case JSONL -> spark.read().json(location);
                case JSON -> spark.read().option("multiLine", true).json(location);
                case CSV -> spark.read().option("header", true).option("inferSchema", true).csv(location);
                case TABLE -> spark.table(location);
                case OPENAI_BATCH -> OpenAiBatchInput.read(spark, location);
            };
        } catch (InvalidInputException e) {
            throw e;
        } catch (Exception e) { // Spark's AnalysisException (path not found, no such table, unreadable file)
            throw new InvalidInputException("Cannot read input '" + location + "' as " + spec.format().label()
                    + ": " + firstLine(e.getMessage()), e);
        }
    }

    static String firstLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
