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
 *
 * <p>A job raises or lowers them with Spark settings ({@link #from}): {@code spark.canopy.input.parquet.maxFooterBytes},
 * {@code .maxSchemaDepth}, {@code .maxColumns} and {@code .maxMetadataDepth}, e.g.
 * {@code --conf spark.canopy.input.parquet.maxColumns=50000}.
 */
public record ParquetFooterLimits(long maxFooterBytes, int maxSchemaDepth, int maxColumns, int maxMetadataDepth) {

    public static final ParquetFooterLimits DEFAULT = new ParquetFooterLimits(64L << 20, 64, 10_000, 256);

    /** Prefix of the Spark settings that override the defaults. */
    public static final String CONF_PREFIX = "spark.canopy.input.parquet.";

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

    /**
     * The limits a job set with {@value #CONF_PREFIX}{@code *} settings ({@code setting} answers a key, or null when
     * unset), the defaults elsewhere.
     *
     * @throws IllegalArgumentException naming the setting when one is not a number or out of range
     */
    public static ParquetFooterLimits from(java.util.function.Function<String, String> setting) {
        long footer = number(setting, "maxFooterBytes", DEFAULT.maxFooterBytes());
        int depth = (int) number(setting, "maxSchemaDepth", DEFAULT.maxSchemaDepth());
        int columns = (int) number(setting, "maxColumns", DEFAULT.maxColumns());
        int metadataDepth = (int) number(setting, "maxMetadataDepth", DEFAULT.maxMetadataDepth());
        try {
            return new ParquetFooterLimits(footer, depth, columns, metadataDepth);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (from the " + CONF_PREFIX + "* settings)", e);
        }
    }

    private static long number(java.util.function.Function<String, String> setting, String name, long fallback) {
        String value = setting.apply(CONF_PREFIX + name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n < 1 || (!name.equals("maxFooterBytes") && n > Integer.MAX_VALUE)) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Cannot use setting " + CONF_PREFIX + name + "='" + value
                    + "': expected a positive whole number (default " + fallback + ")");
        }
    }
}
