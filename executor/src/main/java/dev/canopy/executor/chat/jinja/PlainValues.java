package dev.canopy.executor.chat.jinja;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns values from outside (parsed JSON, a Spark row's fields) into the plain values a template may see:
 * {@code String}, {@code Long}/{@code BigInteger}, {@code Double}, {@code Boolean}, {@code null}, and
 * unmodifiable {@code List}s and {@code Map}s with string keys of them. Anything else is refused, so no
 * other Java object ever reaches a template.
 */
public final class PlainValues {

    private PlainValues() {}

    /**
     * The plain value of {@code v}.
     *
     * @param where how errors name the value, e.g. {@code messages[2].tool_calls}
     * @throws IllegalArgumentException naming {@code where} if {@code v} holds something else, or nests deeper
     *     than 64 levels
     */
    public static Object of(Object v, String where) {
        return of(v, where, 0);
    }

    private static Object of(Object v, String where, int depth) {
        if (depth > 64) {
            throw new IllegalArgumentException("Cannot pass " + where + " to a chat template: it nests deeper than 64 "
                    + "levels");
        }
        return switch (v) {
            case null -> null;
            case String s -> s;
            case Boolean b -> b;
            case Long l -> l;
            case Integer i -> (long) i;
            case Short s -> (long) s;
            case Byte b -> (long) b;
            case BigInteger b -> b.bitLength() < 64 ? (Object) b.longValue() : b;
            case Double d -> d;
            case Float f -> (double) f;
            case BigDecimal d -> d.doubleValue();
            case List<?> l -> {
                List<Object> out = new ArrayList<>(l.size());
                for (int i = 0; i < l.size(); i++) {
                    out.add(of(l.get(i), where + "[" + i + "]", depth + 1));
                }
                yield Collections.unmodifiableList(out);
            }
            case Map<?, ?> m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!(e.getKey() instanceof String key)) {
                        throw new IllegalArgumentException("Cannot pass " + where + " to a chat template: its keys "
                                + "must be strings, found " + (e.getKey() == null ? "null" : e.getKey().getClass()
                                .getSimpleName()));
                    }
                    out.put(key, of(e.getValue(), where + "." + key, depth + 1));
                }
                yield Collections.unmodifiableMap(out);
            }
            default -> throw new IllegalArgumentException("Cannot pass " + where + " to a chat template: "
                    + v.getClass().getSimpleName() + " is not a string, number, boolean, null, list or map");
        };
    }
}
