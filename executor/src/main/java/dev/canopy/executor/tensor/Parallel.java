package dev.canopy.executor.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads for the many short parallel loops of a transformer forward (a decode step
 * runs about a hundred). Workers spin briefly between loops and then park, so a loop that follows
 * soon after the previous one starts within a microsecond, and an idle team costs nothing.
 *
 * <p>{@link #forRange} splits {@code [0, n)} into {@code min(threads, n)} contiguous chunks of equal
 * size (the split depends only on {@code n} and the thread count); the calling thread runs the first
 * chunk itself. A {@code forRange} called from inside a loop body runs the whole range on the calling
 * thread. Loops from several threads take turns.
 */
public final class Parallel implements AutoCloseable {

    /** How long an idle worker (or the waiting caller) spins before parking. */
    private static final long SPIN_NANOS = 100_000;

    private final int threads;
    private final Thread[] workers;
    private final AtomicIntegerArray sleeping; // (threads): 1 while thread i is parked or about to park
    private final AtomicInteger pending = new AtomicInteger();
    private final Object turn = new Object();

    private volatile long generation;
    private volatile boolean closed;
    private volatile Thread caller;
    private volatile Throwable failure;
    private RangeBody body; // published by the volatile write of generation
    private int n;

    /**
     * Starts a team of {@code threads} threads in all: the caller of {@link #forRange} and
     * {@code threads - 1} workers.
     *
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("Cannot start a thread team of " + threads + " threads: need at least 1");
        }
        this.threads = threads;
        this.sleeping = new AtomicIntegerArray(threads);
        this.workers = new Thread[threads];
        for (int i = 1; i < threads; i++) {
            int index = i;
            workers[i] = Thread.ofPlatform().daemon().name("canopy-parallel-" + i).unstarted(() -> work(index));
            workers[i].start();
        }
    }

    /** A team with one thread per available processor. */
    public static Parallel withAvailableProcessors() {
        return new Parallel(Runtime.getRuntime().availableProcessors());
    }

    /** Number of threads that run chunks, the caller included. */
    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, n)} split in contiguous chunks, one per thread, and returns when
     * all chunks are done. An exception thrown by a chunk is rethrown here after all chunks finished.
     *
     * @throws IllegalStateException if the team is closed
     */
    public void forRange(int n, RangeBody body) {
        if (n <= 0) {
            return;
        }
        if (threads == 1 || n == 1 || Thread.currentThread() == caller || isWorker(Thread.currentThread())) {
            body.run(0, n);
            return;
        }
        synchronized (turn) {
            if (closed) {
                throw new IllegalStateException("Cannot run a parallel loop: the thread team is closed");
            }
            runLoop(n, body);
        }
    }

    private void runLoop(int n, RangeBody body) {
        this.body = body;
        this.n = n;
        this.failure = null;
        this.caller = Thread.currentThread();
        pending.set(threads - 1);
        generation++; // publishes body and n to the workers
        wakeSleepers();
        try {
            runChunk(0);
            awaitWorkers();
        } finally {
            this.body = null;
            this.caller = null;
        }
        Throwable t = failure;
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
    }

    private void runChunk(int index) {
        int parts = Math.min(threads, n);
        if (index >= parts) {
            return;
        }
        int start = (int) ((long) n * index / parts);
        int end = (int) ((long) n * (index + 1) / parts);
        try {
            body.run(start, end);
        } catch (Throwable t) {
            if (failure == null) {
                failure = t;
            }
        }
    }

    private void awaitWorkers() {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        for (int i = 0; pending.get() != 0; i++) {
            if ((i & 63) != 0 || System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
                continue;
            }
            sleeping.set(0, 1);
            if (pending.get() != 0) {
                LockSupport.park(this);
            }
            sleeping.set(0, 0);
        }
    }

    private void wakeSleepers() {
        for (int i = 1; i < threads; i++) {
            if (sleeping.get(i) != 0) {
                LockSupport.unpark(workers[i]);
            }
        }
    }

    private void work(int index) {
        long seen = 0;
        while (true) {
            seen = awaitGeneration(index, seen);
            if (closed) {
                return;
            }
            runChunk(index);
            Thread waiting = caller;
            if (pending.decrementAndGet() == 0 && sleeping.get(0) != 0) {
                LockSupport.unpark(waiting);
            }
        }
    }

    private long awaitGeneration(int index, long seen) {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        for (int i = 0; ; i++) {
            long g = generation;
            if (g != seen || closed) {
                return g;
            }
            if ((i & 63) != 0 || System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
                continue;
            }
            sleeping.set(index, 1);
            if (generation == seen && !closed) {
                LockSupport.park(this);
            }
            sleeping.set(index, 0);
        }
    }

    private boolean isWorker(Thread t) {
        for (int i = 1; i < threads; i++) {
            if (workers[i] == t) {
                return true;
            }
        }
        return false;
    }

    /** Stops the workers and waits for them to end. Further loops throw. */
    @Override
    public void close() {
        synchronized (turn) {
            if (closed) {
                return;
            }
            closed = true;
            generation++;
        }
        for (int i = 1; i < threads; i++) {
            LockSupport.unpark(workers[i]);
        }
        for (int i = 1; i < threads; i++) {
            try {
                workers[i].join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
