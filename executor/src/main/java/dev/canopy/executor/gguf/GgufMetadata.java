package dev.canopy.executor.gguf;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The key/value metadata of a GGUF file, in file order. Scalars are stored boxed in their own
 * type ({@code Byte} for (U)INT8, {@code Short}, {@code Integer}, {@code Long}, {@code Float},
 * {@code Double}, {@code Boolean}, {@code String}); arrays as {@link GgufArray}.
 *
 * <p>Typed getters widen any integer type to {@code long} (unsigned types read as unsigned) and
 * fail with a {@link ModelFormatException} naming the file, the key, what was expected and what
 * was found.
 */
public final class GgufMetadata {

    /** One entry: its declared type and value. */
    public record Entry(GgufValueType type, Object value) {}

    private final Path file;
    private final Map<String, Entry> entries;

    public GgufMetadata(Path file, Map<String, Entry> entries) {
        this.file = file;
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /** The file this metadata came from (for error messages). */
    public Path file() {
        return file;
    }

    public Set<String> keys() {
        return entries.keySet();
    }

    public boolean has(String key) {
        return entries.containsKey(key);
    }

    public Optional<Entry> entry(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    /** All entries, in file order. */
    public Map<String, Entry> entries() {
        return entries;
    }

    public String getString(String key) {
        return getStringOpt(key).orElseThrow(() -> missing(key, "a string"));
    }

    public Optional<String> getStringOpt(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return Optional.empty();
        }
        if (e.type() != GgufValueType.STRING) {
            throw wrongType(key, "a string", e);
        }
        return Optional.of((String) e.value());
    }

    public long getLong(String key) {
        return getLongOpt(key).orElseThrow(() -> missing(key, "an integer"));
    }

    public OptionalLong getLongOpt(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return OptionalLong.empty();
        }
        if (!e.type().isInteger()) {
            throw wrongType(key, "an integer", e);
        }
        return OptionalLong.of(widen(e.type(), e.value()));
    }

    /** An integer value that must fit an int and be at least {@code min}. */
    public int getInt(String key, int min) {
        long v = getLong(key);
        if (v < min || v > Integer.MAX_VALUE) {
            throw new ModelFormatException(file, "key " + key + ": expected an integer in [" + min + ", "
                    + Integer.MAX_VALUE + "], found " + v);
        }
        return (int) v;
    }

    public double getDouble(String key) {
        return getDoubleOpt(key).orElseThrow(() -> missing(key, "a number"));
    }

    public OptionalDouble getDoubleOpt(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return OptionalDouble.empty();
        }
        return switch (e.type()) {
            case FLOAT32 -> OptionalDouble.of((Float) e.value());
            case FLOAT64 -> OptionalDouble.of((Double) e.value());
            default -> {
                if (e.type().isInteger()) {
                    yield OptionalDouble.of(widen(e.type(), e.value()));
                }
                throw wrongType(key, "a number", e);
            }
        };
    }

    public Optional<Boolean> getBoolOpt(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return Optional.empty();
        }
        if (e.type() != GgufValueType.BOOL) {
            throw wrongType(key, "a bool", e);
        }
        return Optional.of((Boolean) e.value());
    }

    public Optional<GgufArray> getArrayOpt(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return Optional.empty();
        }
        if (e.type() != GgufValueType.ARRAY) {
            throw wrongType(key, "an array", e);
        }
        return Optional.of((GgufArray) e.value());
    }

    public GgufArray getArray(String key) {
        return getArrayOpt(key).orElseThrow(() -> missing(key, "an array"));
    }

    /** A string array (e.g. {@code tokenizer.ggml.tokens}). */
    public String[] getStringArray(String key) {
        GgufArray a = getArray(key);
        if (a.elementType() != GgufValueType.STRING) {
            throw new ModelFormatException(file, "key " + key + ": expected an array of STRING, found an array of "
                    + a.elementType());
        }
        return (String[]) a.values();
    }

    /** A float array (FLOAT32 elements; FLOAT64 elements are narrowed). */
    public float[] getFloatArray(String key) {
        GgufArray a = getArray(key);
        return switch (a.elementType()) {
            case FLOAT32 -> (float[]) a.values();
            case FLOAT64 -> {
                double[] d = (double[]) a.values();
                float[] f = new float[d.length];
                for (int i = 0; i < d.length; i++) {
                    f[i] = (float) d[i];
                }
                yield f;
            }
            default -> throw new ModelFormatException(file, "key " + key
                    + ": expected an array of FLOAT32, found an array of " + a.elementType());
        };
    }

    /** An integer array of any integer element type, widened to int (values must fit). */
    public int[] getIntArray(String key) {
        GgufArray a = getArray(key);
        if (!a.elementType().isInteger()) {
            throw new ModelFormatException(file, "key " + key + ": expected an array of integers, found an array of "
                    + a.elementType());
        }
        int n = a.length();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            long v = widen(a.elementType(), java.lang.reflect.Array.get(a.values(), i));
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new ModelFormatException(file, "key " + key + "[" + i + "]: value " + v + " does not fit an int");
            }
            out[i] = (int) v;
        }
        return out;
    }

    /** Widens a stored integer of GGUF type {@code type} to long, reading unsigned types as unsigned. */
    static long widen(GgufValueType type, Object value) {
        return switch (type) {
            case UINT8 -> Byte.toUnsignedLong((Byte) value);
            case INT8 -> (Byte) value;
            case UINT16 -> Short.toUnsignedLong((Short) value);
            case INT16 -> (Short) value;
            case UINT32 -> Integer.toUnsignedLong((Integer) value);
            case INT32 -> (Integer) value;
            case UINT64, INT64 -> (Long) value;
            default -> throw new IllegalArgumentException("not an integer type: " + type);
        };
    }

    private ModelFormatException missing(String key, String expected) {
        return new ModelFormatException(file, "missing metadata key " + key + " (expected " + expected + ")");
    }

    private ModelFormatException wrongType(String key, String expected, Entry e) {
        return new ModelFormatException(file, "key " + key + ": expected " + expected + ", found " + e.type());
    }
}
