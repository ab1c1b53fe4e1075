package dev.canopy.pipeline.batch;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import scala.Tuple4;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Fails a job that has stopped making progress, with a message that says why, instead of letting it hang.
 *
 * <p>Progress is any job, stage or task starting or ending, or a heartbeat carrying a changed {@code canopy.*}
 * accumulator of a running task (generation reports its tokens after every engine step). The job is failed when
 * it has made no progress for {@link StallLimits#afterFatalError()} since a thread of this JVM died of an
 * uncaught error ({@link FatalErrors}), or for {@link StallLimits#withoutProgress()} in any case: every job is
 * cancelled (tasks interrupted) and the thread that started the watchdog is interrupted, which ends a driver-side
 * wait too. {@link #failure()} then holds the message.
 */
public final class StallWatchdog extends SparkListener implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StallWatchdog.class);
    private static final String INTERRUPT_ON_CANCEL = "spark.job.interruptOnCancel";

    private final SparkContext context;
    private final StallLimits limits;
    private final Thread jobThread;
    private final long startNanos = System.nanoTime();
    private final AtomicLong lastProgressNanos = new AtomicLong(startNanos);
    private final Map<String, Long> accumulatorSums = new ConcurrentHashMap<>(); // by executor id
    private final String interruptOnCancelBefore;
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final ScheduledExecutorService timer;

    private StallWatchdog(SparkContext context, StallLimits limits) {
        this.context = context;
        this.limits = limits;
        this.jobThread = Thread.currentThread();
        this.interruptOnCancelBefore = context.getLocalProperty(INTERRUPT_ON_CANCEL);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "canopy-stall-watchdog");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts watching the jobs the calling thread runs on {@code context}; {@link #close()} stops it. */
    public static StallWatchdog start(SparkContext context, StallLimits limits) {
        FatalErrors.install();
        StallWatchdog watchdog = new StallWatchdog(context, limits);
        context.setLocalProperty(INTERRUPT_ON_CANCEL, "true"); // cancelling interrupts stuck tasks
        context.addSparkListener(watchdog);
        long every = limits.checkEvery().toMillis();
        watchdog.timer.scheduleWithFixedDelay(watchdog::check, every, every, TimeUnit.MILLISECONDS);
        return watchdog;
    }

    /** Why the watchdog failed the job, if it did. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure.get());
    }

    void check() {
        if (failure.get() != null) {
            return;
        }
        long now = System.nanoTime();
        long quiet = now - lastProgressNanos.get();
        Optional<FatalErrors.Seen> fatal = FatalErrors.since(startNanos)
                .filter(seen -> seen.atNanos() - lastProgressNanos.get() >= 0);
        if (fatal.isPresent() && now - fatal.get().atNanos() >= limits.afterFatalError().toNanos()) {
            fail("Cannot finish the job: no progress for " + seconds(now - fatal.get().atNanos()) + " s since "
                    + fatal.get().describe() + " ended that thread; Spark would wait for it forever. Look for the"
                    + " error in the log above (a hostile input file or row?)");
        } else if (quiet >= limits.withoutProgress().toNanos()) {
            fail("Cannot finish the job: no task started or finished and no tokens were generated for "
                    + seconds(quiet) + " s (limit " + limits.withoutProgress().toSeconds() + " s); an executor may be"
                    + " stuck. Look for errors in the executors' logs");
        }
    }

    private void fail(String message) {
        if (!failure.compareAndSet(null, message)) {
            return;
        }
        LOG.error(message);
        context.cancelAllJobs();
        jobThread.interrupt();
    }

    private static long seconds(long nanos) {
        return TimeUnit.NANOSECONDS.toSeconds(nanos);
    }

    private void progressed() {
        lastProgressNanos.set(System.nanoTime());
    }

    @Override
    public void onJobStart(SparkListenerJobStart jobStart) {
        progressed();
    }

    @Override
    public void onJobEnd(SparkListenerJobEnd jobEnd) {
        progressed();
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted stageSubmitted) {
        progressed();
    }

    @Override
    public void onStageCompleted(SparkListenerStageCompleted stageCompleted) {
        progressed();
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart taskStart) {
        progressed();
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
        progressed();
    }

    /** A heartbeat: progress when the running tasks' {@code canopy.*} accumulators add up to something new. */
    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        long sum = 0;
        for (Tuple4<Object, Object, Object, Seq<AccumulableInfo>> task
                : CollectionConverters.asJava(update.accumUpdates())) {
            for (AccumulableInfo info : CollectionConverters.asJava(task._4())) {
                if (info.name().isDefined() && info.name().get().startsWith("canopy.") && info.update().isDefined()
                        && info.update().get() instanceof Long value) {
                    sum += value;
                }
            }
        }
        Long before = accumulatorSums.put(update.execId(), sum);
        if (sum != 0 && (before == null || before != sum)) {
            progressed();
        }
    }

    /** Stops watching; clears an interrupt the watchdog may have left on the job thread. */
    @Override
    public void close() {
        timer.shutdownNow();
        context.removeSparkListener(this);
        if (Thread.currentThread() == jobThread) {
            context.setLocalProperty(INTERRUPT_ON_CANCEL, interruptOnCancelBefore);
        }
        if (failure.get() != null && Thread.currentThread() == jobThread) {
            Thread.interrupted();
        }
    }
}
