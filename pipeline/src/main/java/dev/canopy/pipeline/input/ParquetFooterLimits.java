package dev.canopy.pipeline.input;

/**
 * What a Parquet input file's footer may hold before Spark is let near it. Spark converts a footer's
 * schema recursively, on a footer-reading thread pool whose fatal errors nobody waits for: a schema
 * nested 100,000 levels deep overflowed that thread's stack and hung the job. The defaults admit any
 * table of prompts we know of by a wide margin.
 *
 * @param maxFooterBytes   largest footer (Thrift {@code FileMetaData}), in bytes
 * @param maxSchemaDepth   deepest nesting of groups in the schema (the root is depth 0)
 * @param maxColumns       most leaf columns
 * @param maxMetadataDepth deepest bracket nesting of a key-value metadata value (Spark parses its own
 *                         schema JSON stored there recursively, too)
 */
public record ParquetFooterLimits(long maxFooterBytes, int maxSchemaDepth, int maxColumns, int maxMetadataDepth) {

    public static final ParquetFooterLimits DEFAULT = new ParquetFooterLimits(64L << 20, 64, 10_000, 256);

    public ParquetFooterLimits {
        if (maxFooterBytes < 8 || maxFooterBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Cannot use Parquet footer limits: maxFooterBytes must be in [8, 2^31-9],"
                    + " got " + maxFooterBytes);
        }
        if (maxSchemaDepth < 1 || maxColumns < 1 || maxMetadataDepth < 1) {
            throw new IllegalArgumentException("Cannot use Parquet footer limits: maxSchemaDepth, maxColumns and "
                    + "maxMetadataDepth must be positive, got " + maxSchemaDepth + ", " + maxColumns + ", "
                    + maxMetadataDepth);
        }
    }
}
