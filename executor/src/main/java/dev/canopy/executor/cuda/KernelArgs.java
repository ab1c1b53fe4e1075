package dev.canopy.executor.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jcuda.Pointer;

/**
 * The argument block of a kernel launch, in native memory so that a launch passes one pointer
 * instead of an array of Java objects: {@code slots} holds each argument's value in 8 bytes (ints and
 * floats in the low 4, which little-endian x86-64 reads first), {@code table} the address of each
 * slot, which is the {@code void** kernelParams} the driver reads at launch. Reused launch after
 * launch by one thread.
 */
final class KernelArgs implements AutoCloseable {

    static final int MAX_ARGS = 24;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment slots = arena.allocate(8L * MAX_ARGS, 16); // (MAX_ARGS) 8-byte values
    private final MemorySegment table = arena.allocate(8L * MAX_ARGS, 16); // (MAX_ARGS) addresses of slots
    private final Pointer params = Pointer.to(table.asByteBuffer());
    private int count;

    KernelArgs() {
        for (int i = 0; i < MAX_ARGS; i++) {
            table.setAtIndex(ValueLayout.JAVA_LONG, i, slots.address() + 8L * i);
        }
    }

    /** Starts a new argument list. */
    KernelArgs clear() {
        count = 0;
        return this;
    }

    /** Appends a device pointer (a raw device address; 0 is a null pointer). */
    KernelArgs ptr(long address) {
        slot().set(ValueLayout.JAVA_LONG, 0, address);
        return this;
    }

    KernelArgs i32(int value) {
        slot().set(ValueLayout.JAVA_LONG, 0, value & 0xFFFFFFFFL);
        return this;
    }

    KernelArgs i64(long value) {
        slot().set(ValueLayout.JAVA_LONG, 0, value);
        return this;
    }

    KernelArgs f32(float value) {
        slot().set(ValueLayout.JAVA_LONG, 0, Float.floatToRawIntBits(value) & 0xFFFFFFFFL);
        return this;
    }

    int count() {
        return count;
    }

    /** The {@code kernelParams} pointer for {@code cuLaunchKernel}. */
    Pointer params() {
        return params;
    }

    private MemorySegment slot() {
        if (count == MAX_ARGS) {
            throw new IllegalStateException("Cannot add kernel argument " + (count + 1) + ": at most " + MAX_ARGS);
        }
        return slots.asSlice(8L * count++, 8);
    }

    @Override
    public void close() {
        arena.close();
    }
}
