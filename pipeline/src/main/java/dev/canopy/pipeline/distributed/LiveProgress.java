package dev.canopy.pipeline.distributed;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import scala.Tuple4;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Progress of a generation job on the driver while it runs, rows of unfinished partitions included.
 *
 * <p>Spark merges a task's accumulators into the driver's only when the task ends, so a long partition would
 * show no progress until its end. But every executor heartbeat ({@code spark.executor.heartbeatInterval},
 * default 10 s) carries the current accumulator values of its running tasks to the driver, which posts them as
 * a {@link SparkListenerExecutorMetricsUpdate}; this listener keeps the latest of them per running task and
 * drops a task's entry when it ends (its counts are then in the accumulators). Works alike in local and cluster
 * mode. The live counts are an estimate (a task that fails is counted until it ends); the exact final counts
 * are {@link GenerationProgress#counts()} once the job is over.
 */
public final class LiveProgress extends SparkListener implements AutoCloseable {

    private final SparkContext context;
    private final GenerationProgress progress;
    private final Map<Long, ProgressCounts> running = new ConcurrentHashMap<>(); // by task id
    private final Set<Long> ended = ConcurrentHashMap.newKeySet(); // a late heartbeat must not revive a task

    private LiveProgress(SparkContext context, GenerationProgress progress) {
        this.context = context;
        this.progress = progress;
    }

    /** Starts following {@code progress} on {@code context}; {@link #close()} stops it. */
    public static LiveProgress attach(SparkContext context, GenerationProgress progress) {
        LiveProgress live = new LiveProgress(context, progress);
        context.addSparkListener(live);
        return live;
    }

    /** Finished tasks' counts plus the running tasks' counts at their last heartbeat. */
    public ProgressCounts counts() {
        ProgressCounts counts = progress.counts();
        for (ProgressCounts task : running.values()) {
            counts = counts.plus(task);
        }
        return counts;
    }

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        for (Tuple4<Object, Object, Object, Seq<AccumulableInfo>> task
                : CollectionConverters.asJava(update.accumUpdates())) {
            long taskId = (Long) task._1();
            Map<Long, Long> values = new HashMap<>();
            for (AccumulableInfo info : CollectionConverters.asJava(task._4())) {
                if (progress.counts(info.id()) && info.update().isDefined()
                        && info.update().get() instanceof Long value) {
                    values.put(info.id(), value);
                }
            }
            if (!values.isEmpty() && !ended.contains(taskId)) {
                running.put(taskId, progress.countsOf(values));
            }
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
        long taskId = taskEnd.taskInfo().taskId();
        ended.add(taskId);
        running.remove(taskId);
    }

    @Override
    public void close() {
        context.removeSparkListener(this);
    }
}
