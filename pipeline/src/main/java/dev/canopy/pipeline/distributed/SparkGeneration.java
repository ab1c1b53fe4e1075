package dev.canopy.pipeline.distributed;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import dev.canopy.pipeline.structured.OutputSchema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.input.InputColumns;
import dev.canopy.pipeline.partition.CostBalancedRanges;
import dev.canopy.pipeline.partition.PrefixKey;
import dev.canopy.pipeline.partition.PrefixRangePartitioner;
import scala.Tuple2;

/**
 * Plans generation over a Dataset that has ids: prepare and tokenize each row once on executors, range-partition by
 * prefix key into partitions of balanced estimated cost (rows sharing a prefix together unless their group outweighs
 * a partition; all rows of one id always together), then generate each partition from the prepared rows.
 */
public final class SparkGeneration {

    /** Rows sampled on the driver to cut the partition ranges. */
    static final int RANGE_SAMPLE_ROWS = 100_000;

    private SparkGeneration() {}

    /** How the prepared rows are kept between planning and generation, so that each row is prepared once. */
    public enum PreparedCache {
        /**
         * Cached as a Dataset (memory, spilling to disk) until {@link Plan#release()}; the duplicate-id check reads
         * the cache, not the input. For a job that writes the rows once.
         */
        UNTIL_RELEASED,
        /**
         * Cached as an RDD (serialized, memory spilling to disk) that Spark's context cleaner frees once no Dataset
         * derived from {@link Plan#rows()} is referenced on the driver. For the library, whose caller holds the rows.
         */
        WHILE_REFERENCED
    }

    /**
     * A plan whose {@link #rows()} computes lazily; {@link #release()} frees the cached prepared rows.
     *
     * @param rows       output rows: the keyed input's columns, then {@link ResultColumns#fields}
     * @param inputRows  rows to generate
     * @param maxOutputTokens most tokens they may generate together (all of them when EOS is ignored)
     * @param partitions generation partitions
     * @param grouped    the prepared rows with their duplicate ranks and group prefixes, as they are partitioned
     * @param freeCache  frees the cached prepared rows
     */
    public record Plan(Dataset<Row> rows, long inputRows, long maxOutputTokens, int partitions, Dataset<Row> grouped,
                       Runnable freeCache) {

        /** Frees the prepared rows kept for generation; call after {@link #rows()} has been written. */
        public void release() {
            freeCache.run();
        }
    }

    /**
     * Plans generation of {@code keyed} (the input plus its id column). Runs a Spark job now that prepares (renders,
     * tokenizes, checks) every row, keeping the result as {@code cache} says, counts the rows and samples their prefix
     * keys, and one over the ids when they come from the input ({@link DuplicateIds}: only ids that may repeat need
     * the window that ranks them).
     */
    public static Plan plan(Dataset<Row> keyed, InputColumns columns, GenerateOptions options,
                            GenerationProgress progress, PreparedCache cache) {
        SparkSession spark = keyed.sparkSession();
        int passthroughWidth = keyed.schema().size();
        RowPreparer preparer = RowPreparer.forJob(columns, options);

        Dataset<Row> tokenized = tokenized(keyed, columns, options, preparer);
        PreparedRows prepared = cache == PreparedCache.UNTIL_RELEASED ? untilReleased(tokenized, columns)
                : whileReferenced(tokenized, keyed, columns);
        KeySample sample = prepared.sample();
        Dataset<Row> grouped = prepared.grouped();
        long count = sample.rows();
        int partitions = Math.max(1, options.partitions().orElse(
                (int) Math.min(Integer.MAX_VALUE, (count + options.rowsPerPartition() - 1) / options.rowsPerPartition())));
        PrefixRangePartitioner partitioner = new PrefixRangePartitioner(
                CostBalancedRanges.bounds(sample.weights(), partitions));

        StructType schema = grouped.schema();
        int groupPrefixIndex = schema.fieldIndex(InternalColumns.GROUP_PREFIX);
        int tieBreakIndex = schema.fieldIndex(InternalColumns.TIE_BREAK);
        boolean multiChoice = ResultColumns.multiChoice(options.sampling(), columns);
        GeneratePartition.Layout layout = layout(passthroughWidth, schema, columns, multiChoice);
        JavaRDD<Row> generated = prepared.rows()
                .mapToPair(row -> new Tuple2<>(storedKey(row, groupPrefixIndex, tieBreakIndex), row))
                .partitionBy(partitioner)
                .mapPartitions(new GeneratePartition(options.modelAdapter(), preparer, layout, progress));

        List<StructField> fields = new ArrayList<>(Arrays.asList(keyed.schema().fields()));
        fields.addAll(Arrays.asList(ResultColumns.fields(options.textColumn(), multiChoice)));
        Dataset<Row> rows = spark.createDataFrame(generated, DataTypes.createStructType(fields));
        if (options.outputSchema() != null && !multiChoice) { // the typed value beside the raw text
            rows = OutputSchema.withParsedColumn(rows, options.textColumn(), options.outputSchema());
        }
        return new Plan(rows, count, sample.maxOutputTokens(), partitioner.numPartitions(), grouped,
                prepared.freeCache());
    }

    /**
     * The prepared rows as they are partitioned ({@code grouped}, computed as {@code rows}), the sample of their keys
     * (taken by the job that fills the cache) and what frees the cache.
     */
    private record PreparedRows(Dataset<Row> grouped, JavaRDD<Row> rows, KeySample sample, Runnable freeCache) {}

    /** {@link PreparedCache#UNTIL_RELEASED}: one job fills the cache and samples; the id check reads the cache. */
    private static PreparedRows untilReleased(Dataset<Row> tokenized, InputColumns columns) {
        Dataset<Row> cached = tokenized.persist(StorageLevel.MEMORY_AND_DISK());
        // a duplicate id's later rows are sampled under their own prefix, not their group's (a rounding in the
        // cost balance, for inputs with repeated ids only)
        KeySample sample = KeySample.of(cached.select(InternalColumns.PREFIX, InternalColumns.TIE_BREAK,
                InternalColumns.COST, InternalColumns.MAX_OUTPUT), RANGE_SAMPLE_ROWS);
        Dataset<Row> grouped = groupIds(cached, columns, DuplicateIds.mayRepeat(cached, columns));
        return new PreparedRows(grouped, grouped.javaRDD(), sample, cached::unpersist);
    }

    /** {@link PreparedCache#WHILE_REFERENCED}: the ids are checked on the input, then one job fills the cache. */
    private static PreparedRows whileReferenced(Dataset<Row> tokenized, Dataset<Row> keyed, InputColumns columns) {
        Dataset<Row> grouped = groupIds(tokenized, columns, DuplicateIds.mayRepeat(keyed, columns));
        JavaRDD<Row> cached = grouped.javaRDD().persist(StorageLevel.MEMORY_AND_DISK_SER());
        StructType schema = grouped.schema();
        KeySample sample = KeySample.of(cached, schema.fieldIndex(InternalColumns.GROUP_PREFIX),
                schema.fieldIndex(InternalColumns.TIE_BREAK), schema.fieldIndex(InternalColumns.COST),
                schema.fieldIndex(InternalColumns.MAX_OUTPUT), RANGE_SAMPLE_ROWS);
        return new PreparedRows(grouped, cached, sample, cached::unpersist);
    }

    /** Where {@link GeneratePartition} finds what it reads in rows of {@code schema}. */
    static GeneratePartition.Layout layout(int passthroughWidth, StructType schema, InputColumns columns,
                                           boolean multiChoice) {
        return new GeneratePartition.Layout(passthroughWidth, schema.fieldIndex(columns.idName()), columns.idName(),
                schema.fieldIndex(InternalColumns.DUPLICATE_RANK), PreparedColumns.start(schema), multiChoice);
    }

    /**
     * {@code keyed} with, per row, its input order, prefix key tokens, estimated cost and output bound, tie break,
     * duplicate rank and group prefix (lazy: the tokenizing runs when the result is computed).
     *
     * @param idsMayRepeat rank the rows of each id with a window over the ids (a shuffle of every tokenized row);
     *                     false only when every id is known to appear once
     */
    static Dataset<Row> tokenizedByGroup(Dataset<Row> keyed, InputColumns columns, GenerateOptions options,
                                         RowPreparer preparer, boolean idsMayRepeat) {
        return groupIds(tokenized(keyed, columns, options, preparer), columns, idsMayRepeat);
    }

    /**
     * {@code keyed} with, per row, its input order, the columns {@link TokenizeRows} appends (the prepared prompt
     * among them) and its tie break (lazy: the preparing runs when the result is computed).
     */
    private static Dataset<Row> tokenized(Dataset<Row> keyed, InputColumns columns, GenerateOptions options,
                                          RowPreparer preparer) {
        Dataset<Row> ordered = keyed.withColumn(InternalColumns.ORDER, monotonically_increasing_id());
        Dataset<Row> tokenized = ordered.mapPartitions(new TokenizeRows(options.modelAdapter(), preparer,
                options.prefixKeyTokens()), Encoders.row(TokenizeRows.schema(ordered.schema())));
        return tokenized.withColumn(InternalColumns.TIE_BREAK, xxhash64(col("`" + columns.idName() + "`")));
    }

    /** Adds the duplicate rank and the group prefix: rows of one id share the prefix of its first row. */
    private static Dataset<Row> groupIds(Dataset<Row> tokenized, InputColumns columns, boolean idsMayRepeat) {
        Column id = col("`" + columns.idName() + "`");
        if (!idsMayRepeat) { // each id once: every row is its id's first, its own group
            return tokenized.withColumn(InternalColumns.DUPLICATE_RANK, lit(1))
                    .withColumn(InternalColumns.GROUP_PREFIX, col(InternalColumns.PREFIX));
        }
        WindowSpec byId = Window.partitionBy(id).orderBy(col(InternalColumns.ORDER));
        return tokenized.withColumn(InternalColumns.DUPLICATE_RANK, row_number().over(byId))
                .withColumn(InternalColumns.GROUP_PREFIX, first(col(InternalColumns.PREFIX)).over(byId));
    }

    private static PrefixKey storedKey(Row row, int prefixIndex, int tieBreakIndex) {
        List<Integer> tokens = row.getList(prefixIndex);
        return PrefixKey.ofStored(tokens.stream().mapToInt(Integer::intValue).toArray(), row.getLong(tieBreakIndex));
    }
}
