package dev.canopy.pipeline.batch;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** The line a job logs while a cluster gives it no executor names what each executor asks for. */
class ExecutorWatchTest {

    @Test
    void theMessageNamesTheMasterAndWhatAnExecutorAsksFor() {
        SparkConf conf = new SparkConf(false).set("spark.master", "spark://master:7077")
                .set("spark.executor.cores", "4").set("spark.executor.memory", "4g");

        String message = ExecutorWatch.noExecutorMessage(conf, 30);

        assertThat(message).startsWith("No executor has registered with the driver 30+ s after generation started:"
                + " the master spark://master:7077 has no worker that can give an executor 4 cores and 4g of memory")
                .contains("Lower them to fit your workers").doesNotContain("GPU");
        assertThat(ExecutorWatch.noExecutorMessage(conf.set("spark.executor.resource.gpu.amount", "1"), 30))
                .contains("4g of memory and 1 GPU(s)");
    }
}
