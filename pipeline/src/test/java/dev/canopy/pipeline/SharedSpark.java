package dev.canopy.pipeline;

import org.apache.spark.sql.SparkSession;

/** The one SparkSession the tests of this JVM share: local[2], UI off, few shuffle partitions,
 * heartbeats every 200 ms. */
public final class SharedSpark {

    private static SparkSession session;

    private SharedSpark() {}

    public static synchronized SparkSession session() {
        if (session == null) {
            session = SparkSession.builder()
                    .master("local[2]")
                    .appName("canopy-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.sql.codegen.wholeStage", "false")
                    .config("spark.default.parallelism", "2")
                    .config("spark.driver.host", "127.0.0.1")
                    // running tasks' accumulator values reach LiveProgress with each heartbeat
                    .config("spark.executor.heartbeatInterval", "200ms")
                    // canopy_generate(TABLE(...), ...) in spark.sql (QueryGenerateTest)
                    .config("spark.sql.extensions", "dev.canopy.pipeline.query.CanopyExtensions")
                    .getOrCreate();
        }
        return session;
    }
}
