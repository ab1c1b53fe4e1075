package dev.canopy.executor.chat;

import java.lang.management.ManagementFactory;

/** The JVM's count of bytes allocated by the current thread, where the JVM keeps one (HotSpot does). */
final class ThreadAllocation {

    private static final com.sun.management.ThreadMXBean BEAN = bean();

    private ThreadAllocation() {}

    /** Bytes allocated by this thread so far, or -1 where the JVM cannot tell. */
    static long currentThreadBytes() {
        return BEAN == null ? -1 : BEAN.getCurrentThreadAllocatedBytes();
    }

    private static com.sun.management.ThreadMXBean bean() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean b
                && b.isThreadAllocatedMemorySupported() && b.isThreadAllocatedMemoryEnabled()) {
            return b;
        }
        return null;
    }
}
