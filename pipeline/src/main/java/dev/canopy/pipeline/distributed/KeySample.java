package dev.canopy.pipeline.distributed;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import dev.canopy.pipeline.partition.CostBalancedRanges;
import dev.canopy.pipeline.partition.PrefixKey;

/**
 * The row count and a sample of prefix keys with their costs, from one Spark job (as Spark's own range
 * partitioner sketches its input): each input partition keeps a uniform reservoir of its rows; a row sampled
 * from a partition of {@code n} rows with {@code k} kept stands for {@code n / k} rows, so its cost is scaled by
 * that much. Up to {@code sampleRows} rows the sample is every row, unscaled.
 *
 * @param rows            rows of the dataset
 * @param maxOutputTokens the sum of every row's most output tokens (not sampled)
 * @param weights         the sampled keys with their (scaled) costs
 */
record KeySample(long rows, long maxOutputTokens, List<CostBalancedRanges.Weighted> weights) {

    /**
     * Samples {@code keys}, whose columns are the group prefix (array of int), the tie-break (long), the cost
     * (long) and the most output tokens (long), in that order.
     */
    static KeySample of(Dataset<Row> keys, int sampleRows) {
        return of(keys.javaRDD(), 0, 1, 2, 3, sampleRows);
    }

    /**
     * Samples {@code keys}, whose fields at the given positions are the group prefix (array of int), the tie-break,
     * the cost and the most output tokens (longs).
     */
    static KeySample of(JavaRDD<Row> keys, int prefix, int tieBreak, int cost, int maxOutput, int sampleRows) {
        int partitions = Math.max(1, keys.getNumPartitions());
        int perPartition = (int) Math.min(Integer.MAX_VALUE, (3L * sampleRows + partitions - 1) / partitions);
        long rows = 0;
        long maxOutputTokens = 0;
        List<CostBalancedRanges.Weighted> weights = new ArrayList<>();
        for (PartitionSample sample : keys.mapPartitions(
                new Reservoir(perPartition, prefix, tieBreak, cost, maxOutput)).collect()) {
            rows += sample.rows();
            maxOutputTokens += sample.maxOutputTokens();
            double scale = sample.kept().isEmpty() ? 1 : (double) sample.rows() / sample.kept().size();
            for (CostBalancedRanges.Weighted w : sample.kept()) {
                weights.add(new CostBalancedRanges.Weighted(w.key(), Math.max(1, Math.round(w.cost() * scale))));
            }
        }
        if (rows > sampleRows) { // keep the driver's share of the work bounded: a uniform subsample
            weights = subsample(weights, sampleRows);
        }
        return new KeySample(rows, maxOutputTokens, weights);
    }

    private static List<CostBalancedRanges.Weighted> subsample(List<CostBalancedRanges.Weighted> weights, int n) {
        if (weights.size() <= n) {
            return weights;
        }
        List<CostBalancedRanges.Weighted> shuffled = new ArrayList<>(weights);
        Collections.shuffle(shuffled, new Random(17));
        return List.copyOf(shuffled.subList(0, n));
    }

    /** One input partition's row count, its rows' most output tokens and the rows it kept. */
    record PartitionSample(long rows, long maxOutputTokens, List<CostBalancedRanges.Weighted> kept)
            implements Serializable {}

    /** Reservoir sampling (algorithm R) over one partition, with a fixed seed: repeatable. */
    private record Reservoir(int size, int prefix, int tieBreak, int cost, int maxOutput) implements FlatMapFunction<Iterator<Row>, PartitionSample> {

        @Override
        public Iterator<PartitionSample> call(Iterator<Row> rows) {
            SplittableRandom random = new SplittableRandom(17);
            List<CostBalancedRanges.Weighted> kept = new ArrayList<>();
            long n = 0;
            long maxOutputTokens = 0;
            while (rows.hasNext()) {
                Row row = rows.next();
                n++;
                maxOutputTokens += row.getLong(maxOutput);
                if (kept.size() < size) {
                    kept.add(weighted(row));
                } else {
                    long slot = random.nextLong(n);
                    if (slot < size) {
                        kept.set((int) slot, weighted(row));
                    }
                }
            }
            return List.of(new PartitionSample(n, maxOutputTokens, kept)).iterator();
        }

        private CostBalancedRanges.Weighted weighted(Row row) {
            List<Integer> tokens = row.getList(prefix);
            return new CostBalancedRanges.Weighted(
                    PrefixKey.ofStored(tokens.stream().mapToInt(Integer::intValue).toArray(), row.getLong(tieBreak)),
                    row.getLong(cost));
        }
    }
}
