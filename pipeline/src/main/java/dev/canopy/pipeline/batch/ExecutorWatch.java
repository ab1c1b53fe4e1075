package dev.canopy.pipeline.batch;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says, in the job's own log, when a cluster gives the job no executor: Spark then waits without end (its own
 * warning, "Initial job has not accepted any resources", does not say which settings no worker can meet). Checks
 * every {@code period} seconds while open; silent on a local master.
 */
final class ExecutorWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorWatch.class);

    private final ScheduledExecutorService timer;

    private ExecutorWatch(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** Starts watching {@code context}; on a local master nothing is watched. */
    static ExecutorWatch start(SparkContext context, long periodSeconds) {
        if (context.isLocal()) {
            return new ExecutorWatch(null);
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "canopy-executor-watch");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> check(context, periodSeconds), periodSeconds, periodSeconds,
                TimeUnit.SECONDS);
        return new ExecutorWatch(timer);
    }

    private static void check(SparkContext context, long periodSeconds) {
        if (context.isStopped() || context.statusTracker().getExecutorInfos().length > 1) { // the driver is listed
            return;
        }
        LOG.warn(noExecutorMessage(context.getConf(), periodSeconds));
    }

    /** The line logged while no executor is registered: what each executor asks for, and what to change. */
    static String noExecutorMessage(SparkConf conf, long periodSeconds) {
        return "No executor has registered with the driver " + periodSeconds + "+ s after generation started: the"
                + " master " + conf.get("spark.master", "?") + " has no worker that can give an executor "
                + conf.get("spark.executor.cores", "(default) cores") + " cores and "
                + conf.get("spark.executor.memory", "1g") + " of memory"
                + (conf.contains("spark.executor.resource.gpu.amount") ? " and "
                + conf.get("spark.executor.resource.gpu.amount") + " GPU(s)" : "")
                + " (spark.executor.cores, spark.executor.memory in conf/spark-defaults.conf). Lower them to fit"
                + " your workers (the engine needs about engine.kv-budget + 1g of heap per executor; docs/batch.md,"
                + " 'What an executor needs'), or add workers; the job waits until one registers";
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
