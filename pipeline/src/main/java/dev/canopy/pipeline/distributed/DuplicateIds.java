package dev.canopy.pipeline.distributed;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.xxhash64;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import dev.canopy.pipeline.input.InputColumns;

/**
 * Whether an input's ids may repeat, decided before planning so that an input of unique ids (the usual case) skips
 * the window that ranks duplicates: that window shuffles every tokenized row, this check only each id's 64-bit hash
 * (combined on the map side). Equal hashes of different ids count as a repeat, which only sends the job to the
 * window; a null id hashes like every other null, so two null ids count as a repeat too (they must commit
 * together, as the rows of one id do).
 */
final class DuplicateIds {

    private static final String HASH = "id_hash";

    private DuplicateIds() {}

    /**
     * True when {@code keyed}'s ids may repeat: synthesized ids never do (no Spark job); ids from the input are
     * checked with one Spark job over the id column.
     */
    static boolean mayRepeat(Dataset<Row> keyed, InputColumns columns) {
        if (!columns.idFromInput()) {
            return false;
        }
        return !keyed.select(xxhash64(col("`" + columns.idName() + "`")).as(HASH))
                .groupBy(HASH).count()
                .filter(col("count").gt(1))
                .isEmpty();
    }
}
