package dev.canopy.executor.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Reads per-request sampling parameters from loosely typed fields (a JSON object, a table row):
 * {@code max_tokens, temperature, top_k, top_p, min_p, seed, stop, stop_token_ids, ignore_eos,
 * presence_penalty, frequency_penalty, repetition_penalty, n, logprobs}. Fields that are absent or
 * null keep the defaults' values. Any wrong type or value is an {@link IllegalArgumentException}
 * naming the field, the value and what is allowed.
 */
public final class SamplingParamsParser {

    /** The field names this parser understands. */
    public static final Set<String> FIELDS = Set.of("max_tokens", "temperature", "top_k", "top_p", "min_p", "seed",
            "stop", "stop_token_ids", "ignore_eos", "presence_penalty", "frequency_penalty", "repetition_penalty", "n",
            "logprobs");

    /** Longest stop string, and most stop strings, accepted: bounds the per-token stop search. */
    public static final int MAX_STOP_LENGTH = 1024;
    public static final int MAX_STOPS = 16;

    private SamplingParamsParser() {}

    /**
     * Applies the recognised {@code fields} on top of {@code defaults}. Unknown fields are ignored
     * (callers pass whole rows).
     */
    public static SamplingParams parse(Map<String, ?> fields, SamplingParams defaults) {
        SamplingParams.Builder b = defaults.toBuilder();
        apply(fields, "max_tokens", b, (bb, v) -> bb.maxTokens(asInt("max_tokens", v)));
        apply(fields, "temperature", b, (bb, v) -> bb.temperature(asDouble("temperature", v)));
        apply(fields, "top_k", b, (bb, v) -> bb.topK(asInt("top_k", v)));
        apply(fields, "top_p", b, (bb, v) -> bb.topP(asDouble("top_p", v)));
        apply(fields, "min_p", b, (bb, v) -> bb.minP(asDouble("min_p", v)));
        apply(fields, "seed", b, (bb, v) -> bb.seed(asLong("seed", v)));
        apply(fields, "stop", b, (bb, v) -> bb.stop(asStops(v)));
        apply(fields, "stop_token_ids", b, (bb, v) -> bb.stopTokenIds(asIntArray("stop_token_ids", v)));
        apply(fields, "ignore_eos", b, (bb, v) -> bb.ignoreEos(asBool("ignore_eos", v)));
        apply(fields, "presence_penalty", b, (bb, v) -> bb.presencePenalty(asDouble("presence_penalty", v)));
        apply(fields, "frequency_penalty", b, (bb, v) -> bb.frequencyPenalty(asDouble("frequency_penalty", v)));
        apply(fields, "repetition_penalty", b, (bb, v) -> bb.repetitionPenalty(asDouble("repetition_penalty", v)));
        apply(fields, "n", b, (bb, v) -> bb.n(asInt("n", v)));
        apply(fields, "logprobs", b, (bb, v) -> {
            if (v instanceof Boolean flag) {
                bb.logprobs(flag ? java.util.OptionalInt.of(0) : java.util.OptionalInt.empty());
            } else {
                bb.logprobs(asInt("logprobs", v));
            }
        });
        return b.build();
    }

    /** Sets one field, then validates the whole so that a range error is blamed on that field. */
    private static void apply(Map<String, ?> fields, String name, SamplingParams.Builder b,
                              BiConsumer<SamplingParams.Builder, Object> setter) {
        Object v = fields.get(name);
        if (v == null) {
            return;
        }
        setter.accept(b, v);
        try {
            b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field " + name + ": " + e.getMessage(), e);
        }
    }

    private static double asDouble(String name, Object v) {
        if (v instanceof Number n && !(v instanceof Float f && f.isNaN()) && Double.isFinite(n.doubleValue())) {
            return n.doubleValue();
        }
        throw bad(name, v, "a finite number");
    }

    private static long asLong(String name, Object v) {
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                return n.longValue();
            }
            if (v instanceof java.math.BigInteger bi && bi.bitLength() < 64) {
                return bi.longValue();
            }
            if (Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 0x1p63) {
                return (long) d;
            }
        }
        throw bad(name, v, "an integer");
    }

    private static int asInt(String name, Object v) {
        long l = asLong(name, v);
        if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
            throw bad(name, v, "an integer below 2^31");
        }
        return (int) l;
    }

    private static boolean asBool(String name, Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        throw bad(name, v, "true or false");
    }

    private static int[] asIntArray(String name, Object v) {
        if (!(v instanceof List<?> list)) {
            throw bad(name, v, "a list of token ids");
        }
        if (list.size() > 1024) {
            throw bad(name, "a list of " + list.size() + " ids", "at most 1024 ids");
        }
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = asInt(name + "[" + i + "]", list.get(i));
        }
        return out;
    }

    private static List<String> asStops(Object v) {
        List<String> out = new ArrayList<>();
        if (v instanceof String s) {
            out.add(s);
        } else if (v instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof String s)) {
                    throw bad("stop", v, "a string or a list of strings");
                }
                out.add(s);
            }
        } else {
            throw bad("stop", v, "a string or a list of strings");
        }
        if (out.size() > MAX_STOPS) {
            throw bad("stop", out.size() + " strings", "at most " + MAX_STOPS);
        }
        for (String s : out) {
            if (s.length() > MAX_STOP_LENGTH) {
                throw bad("stop", "a string of " + s.length() + " characters", "at most " + MAX_STOP_LENGTH);
            }
        }
        return out;
    }

    private static IllegalArgumentException bad(String name, Object v, String expected) {
        String shown = String.valueOf(v);
        if (shown.length() > 80) {
            shown = shown.substring(0, 80) + "...";
        }
        return new IllegalArgumentException("field " + name + ": expected " + expected + ", got " + shown);
    }
}
