package dev.canopy.executor.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads for the many short parallel loops of a transformer forward (a decode step
 * runs about a hundred). Workers spin briefly between loops and then park, so a loop that follows
 * soon after the previous one starts within a microsecond, and an idle team costs nothing.
 *
 * <p>{@link #forRange} splits {@code [0, n)} into {@code min(n, threads × 4)} contiguous chunks of
 * equal size: the chunks depend only on {@code n} and the thread count. Threads claim chunks one at a
 * time, the caller included, so a thread that the OS does not schedule (a machine shared with other
 * work) delays the loop by at most the chunk it holds rather than by a whole share. A
 * {@code forRange} called from inside a loop body runs the whole range on the calling thread. Loops
 * from several threads take turns.
 */
public final class Parallel implements AutoCloseable {

    /** How long an idle worker (or the waiting caller) spins before parking. */
    private static final long SPIN_NANOS = 100_000;
    /** Chunks per thread: more balance the load better, fewer cost fewer claims. */
    private static final int CHUNKS_PER_THREAD = 4;

    private final int threads;
    private final Thread[] workers;
    private final AtomicIntegerArray sleeping; // (threads): 1 while thread i is parked or about to park
    private final Object turn = new Object();

    /**
     * The loop workers should join. Each loop has its own chunk and completion counters, so a worker
     * still leaving an earlier loop can never claim or count a chunk of a later one.
     */
    private volatile Loop current;
    private volatile boolean closed;
    private volatile Thread caller;

    /** One {@link #forRange} call: its body, its chunking and its own counters. */
    private static final class Loop {
        final RangeBody body;
        final int n;
        final int chunks;
        final Thread caller;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Loop(RangeBody body, int n, int chunks, Thread caller) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.caller = caller;
        }
    }

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
        Loop loop = new Loop(body, n, Math.min(n, threads * CHUNKS_PER_THREAD), Thread.currentThread());
        this.caller = loop.caller;
        current = loop; // publishes the loop to the workers
        wakeSleepers();
        try {
            runChunks(loop);
            awaitChunks(loop);
        } finally {
            this.caller = null;
        }
        Throwable t = loop.failure;
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
    }

    /** Claims and runs chunks of {@code loop} until none is left. */
    private void runChunks(Loop loop) {
        int index;
        while ((index = loop.next.getAndIncrement()) < loop.chunks) {
            int start = (int) ((long) loop.n * index / loop.chunks);
            int end = (int) ((long) loop.n * (index + 1) / loop.chunks);
            try {
                loop.body.run(start, end);
            } catch (Throwable t) {
                if (loop.failure == null) {
                    loop.failure = t;
                }
            }
            if (loop.done.incrementAndGet() == loop.chunks && loop.caller != Thread.currentThread()
                    && sleeping.get(0) != 0) {
                LockSupport.unpark(loop.caller);
            }
        }
    }

    private void awaitChunks(Loop loop) {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        for (int i = 0; loop.done.get() != loop.chunks; i++) {
            if ((i & 63) != 0 || System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
                continue;
            }
            sleeping.set(0, 1);
            if (loop.done.get() != loop.chunks) {
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
        Loop seen = null;
        while (true) {
            seen = awaitLoop(index, seen);
            if (closed) {
                return;
            }
            runChunks(seen);
        }
    }

    private Loop awaitLoop(int index, Loop seen) {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        for (int i = 0; ; i++) {
            Loop l = current;
            if ((l != seen && l != null) || closed) {
                return l;
            }
            if ((i & 63) != 0 || System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
                continue;
            }
            sleeping.set(index, 1);
            if (current == seen && !closed) {
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
