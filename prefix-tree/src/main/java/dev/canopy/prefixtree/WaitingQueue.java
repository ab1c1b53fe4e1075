package dev.canopy.prefixtree;

import java.util.ArrayDeque;
import java.util.function.IntFunction;

/**
 * The simulated engine's waiting queue: the plan's requests in execution order, with sequences put back at the head
 * (preempted, or deferred for a shared prefix) ahead of them. A request's sequence is made only when it reaches the
 * head, so a job of millions of requests holds few of them at once.
 */
final class WaitingQueue {

    private final ArrayDeque<SimulatedSequence> head = new ArrayDeque<>();
    private final int[] order; // (requests) execution order of the plan
    private final IntFunction<SimulatedSequence> newSequence;
    private int next; // first request of order not made into a sequence yet
    private SimulatedSequence nextSequence; // order[next - 1]'s sequence while it waits, else null

    WaitingQueue(int[] order, IntFunction<SimulatedSequence> newSequence) {
        this.order = order;
        this.newSequence = newSequence;
    }

    boolean isEmpty() {
        return head.isEmpty() && nextSequence == null && next == order.length;
    }

    /** The sequence admission looks at next; the queue must not be empty. */
    SimulatedSequence peekFirst() {
        if (!head.isEmpty()) {
            return head.peekFirst();
        }
        if (nextSequence == null) {
            nextSequence = newSequence.apply(order[next++]);
        }
        return nextSequence;
    }

    SimulatedSequence pollFirst() {
        SimulatedSequence first = peekFirst();
        if (!head.isEmpty()) {
            head.pollFirst();
        } else {
            nextSequence = null;
        }
        return first;
    }

    void addFirst(SimulatedSequence seq) {
        head.addFirst(seq);
    }
}
