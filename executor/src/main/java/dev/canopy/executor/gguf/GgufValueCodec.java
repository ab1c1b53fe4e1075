package dev.canopy.executor.gguf;

import java.io.IOException;

/**
 * Checks and writes metadata values in the Java representation {@link GgufMetadata} reads them in:
 * {@code Byte} for (U)INT8, {@code Short} for (U)INT16, {@code Integer} for (U)INT32, {@code Long}
 * for (U)INT64, {@code Float}, {@code Double}, {@code Boolean}, {@code String} and {@link GgufArray}.
 */
final class GgufValueCodec {

    /** The reader refuses arrays nested deeper than this. */
    static final int MAX_ARRAY_DEPTH = 4;

    private GgufValueCodec() {}

    /** Throws IllegalArgumentException unless {@code value} is a valid {@code type} value. */
    static void check(String key, GgufValueType type, Object value) {
        check(key, type, value, 0);
    }

    private static void check(String key, GgufValueType type, Object value, int depth) {
        Class<?> expected = scalarClass(type);
        if (!expected.isInstance(value)) {
            throw new IllegalArgumentException("Cannot set metadata key " + key + ": a " + type + " value must be a "
                    + expected.getSimpleName() + ", got " + (value == null ? "null" : value.getClass().getSimpleName()));
        }
        if (value instanceof GgufArray array) {
            checkArray(key, array, depth);
        }
    }

    private static void checkArray(String key, GgufArray array, int depth) {
        if (depth >= MAX_ARRAY_DEPTH) {
            throw new IllegalArgumentException("Cannot set metadata key " + key + ": arrays nested deeper than "
                    + MAX_ARRAY_DEPTH + " levels");
        }
        Class<?> expected = arrayClass(array.elementType());
        if (!expected.isInstance(array.values())) {
            throw new IllegalArgumentException("Cannot set metadata key " + key + ": an array of " + array.elementType()
                    + " must hold a " + expected.getSimpleName() + ", got "
                    + (array.values() == null ? "null" : array.values().getClass().getSimpleName()));
        }
        if (array.values() instanceof Object[] elements) {
            for (int i = 0; i < elements.length; i++) {
                check(key + "[" + i + "]", array.elementType(), elements[i], depth + 1);
            }
        }
    }

    private static Class<?> scalarClass(GgufValueType type) {
        return switch (type) {
            case UINT8, INT8 -> Byte.class;
            case UINT16, INT16 -> Short.class;
            case UINT32, INT32 -> Integer.class;
            case UINT64, INT64 -> Long.class;
            case FLOAT32 -> Float.class;
            case FLOAT64 -> Double.class;
            case BOOL -> Boolean.class;
            case STRING -> String.class;
            case ARRAY -> GgufArray.class;
        };
    }

    private static Class<?> arrayClass(GgufValueType elementType) {
        return switch (elementType) {
            case UINT8, INT8 -> byte[].class;
            case UINT16, INT16 -> short[].class;
            case UINT32, INT32 -> int[].class;
            case UINT64, INT64 -> long[].class;
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case BOOL -> boolean[].class;
            case STRING -> String[].class;
            case ARRAY -> GgufArray[].class;
        };
    }

    /** Writes a value already accepted by {@link #check}. */
    static void write(GgufOutput out, GgufValueType type, Object value) throws IOException {
        switch (type) {
            case UINT8, INT8 -> out.u8((Byte) value);
            case UINT16, INT16 -> out.u16((Short) value);
            case UINT32, INT32 -> out.u32((Integer) value);
            case UINT64, INT64 -> out.u64((Long) value);
            case FLOAT32 -> out.u32(Float.floatToRawIntBits((Float) value));
            case FLOAT64 -> out.u64(Double.doubleToRawLongBits((Double) value));
            case BOOL -> out.u8((byte) ((Boolean) value ? 1 : 0));
            case STRING -> out.string((String) value);
            case ARRAY -> writeArray(out, (GgufArray) value);
        }
    }

    private static void writeArray(GgufOutput out, GgufArray array) throws IOException {
        out.u32(array.elementType().id());
        out.u64(array.length());
        switch (array.values()) {
            case byte[] a -> out.bytes(a, 0, a.length);
            case short[] a -> { for (short v : a) out.u16(v); }
            case int[] a -> { for (int v : a) out.u32(v); }
            case long[] a -> { for (long v : a) out.u64(v); }
            case float[] a -> { for (float v : a) out.u32(Float.floatToRawIntBits(v)); }
            case double[] a -> { for (double v : a) out.u64(Double.doubleToRawLongBits(v)); }
            case boolean[] a -> { for (boolean v : a) out.u8((byte) (v ? 1 : 0)); }
            case String[] a -> { for (String v : a) out.string(v); }
            case GgufArray[] a -> { for (GgufArray v : a) writeArray(out, v); }
            default -> throw new IllegalArgumentException("Cannot write an array holding a "
                    + array.values().getClass().getSimpleName());
        }
    }
}
