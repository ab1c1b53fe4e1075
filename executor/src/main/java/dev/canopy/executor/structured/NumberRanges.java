package dev.canopy.executor.structured;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Regular expressions for JSON numbers within bounds ({@code minimum}, {@code maximum} and their
 * exclusive forms). A bounded number is written without an exponent; bounds must be whole numbers
 * (fractional bounds are refused by the caller). The value's integer part decides against whole
 * bounds: {@code v >= m} iff {@code floor(v) >= m}; {@code v <= M} iff the integer part is below
 * {@code M}, or equals it with an all-zero fraction.
 */
final class NumberRanges {

    private static final String FRACTION = "(\\.[0-9]+)?";
    private static final String NONZERO_FRACTION = "\\.[0-9]*[1-9][0-9]*";
    private static final String ZERO_FRACTION = "(\\.0+)?";

    private NumberRanges() {}

    /** A bound: a whole value, or none (null). */
    record Bound(BigInteger value, boolean exclusive) {}

    /**
     * The regex of numbers in [lo, hi] (null bounds are open), or null when there are none.
     *
     * @param integer only integers (no fraction)
     */
    static String of(Bound lo, Bound hi, boolean integer) {
        List<String> options = new ArrayList<>();
        String positive = nonNegative(lo, hi, integer);
        if (positive != null) {
            options.add(positive);
        }
        Bound negLo = hi == null ? null : new Bound(hi.value.negate(), hi.exclusive);
        Bound negHi = lo == null ? null : new Bound(lo.value.negate(), lo.exclusive);
        String negative = nonNegative(negLo, negHi, integer);
        if (negative != null) {
            options.add("-(" + negative + ")");
        }
        return options.isEmpty() ? null : "(" + String.join("|", options) + ")";
    }

    /** Numbers v >= 0 in [lo, hi], unsigned; null when there are none. */
    private static String nonNegative(Bound lo, Bound hi, boolean integer) {
        if (hi != null && hi.value.signum() < 0) {
            return null;
        }
        List<String> options = new ArrayList<>();
        BigInteger anyFrom; // integer parts taking any fraction: [anyFrom, anyTo]
        if (lo == null || lo.value.signum() < 0) {
            anyFrom = BigInteger.ZERO;
        } else if (!lo.exclusive) {
            anyFrom = lo.value;
        } else {
            anyFrom = lo.value.add(BigInteger.ONE);
            if (!integer && (hi == null || hi.value.compareTo(lo.value) > 0)) {
                options.add(digits(lo.value, lo.value) + NONZERO_FRACTION); // lo < v < lo + 1
            }
        }
        BigInteger anyTo = null; // null: unbounded
        if (hi != null) {
            anyTo = integer && !hi.exclusive ? hi.value : hi.value.subtract(BigInteger.ONE);
            boolean hiCovered = lo == null || lo.value.compareTo(hi.value) < 0 || (!lo.exclusive && lo.value.equals(hi.value));
            if (!integer && !hi.exclusive && hiCovered && hi.value.compareTo(anyFrom) >= 0) {
                options.add(digits(hi.value, hi.value) + ZERO_FRACTION);
            }
        }
        if (anyTo == null || anyTo.compareTo(anyFrom) >= 0) {
            options.add("(" + digits(anyFrom, anyTo) + ")" + (integer ? "" : FRACTION));
        }
        return options.isEmpty() ? null : String.join("|", options);
    }

    /** Decimal integers in [lo, hi] without leading zeros (hi null: unbounded). */
    static String digits(BigInteger lo, BigInteger hi) {
        String a = lo.toString();
        List<String> options = new ArrayList<>();
        int maxLen = hi == null ? a.length() : hi.toString().length();
        for (int len = a.length(); len <= maxLen; len++) {
            String from = len == a.length() ? a : (len == 1 ? "0" : "1" + "0".repeat(len - 1));
            String to = hi != null && len == maxLen ? hi.toString() : "9".repeat(len);
            options.add(sameLength(from, to));
        }
        if (hi == null) {
            options.add("[1-9][0-9]{" + a.length() + ",}");
        }
        return String.join("|", options);
    }

    private static String sameLength(String a, String b) {
        if (a.isEmpty()) {
            return "";
        }
        if (a.equals(b)) {
            return a;
        }
        char x = a.charAt(0);
        char y = b.charAt(0);
        String restA = a.substring(1);
        String restB = b.substring(1);
        if (x == y) {
            return x + "(" + sameLength(restA, restB) + ")";
        }
        if (restA.chars().allMatch(ch -> ch == '0') && restB.chars().allMatch(ch -> ch == '9')) {
            return "[" + x + "-" + y + "]" + tail(restA.length());
        }
        List<String> parts = new ArrayList<>();
        parts.add(x + "(" + sameLength(restA, "9".repeat(restA.length())) + ")");
        if (y - x >= 2) {
            parts.add("[" + (char) (x + 1) + "-" + (char) (y - 1) + "]" + tail(restA.length()));
        }
        parts.add(y + "(" + sameLength("0".repeat(restB.length()), restB) + ")");
        return String.join("|", parts);
    }

    private static String tail(int n) {
        return n == 0 ? "" : "[0-9]{" + n + "}";
    }

    /** The whole value of {@code v}, or empty when it has a fraction. */
    static java.util.Optional<BigInteger> whole(BigDecimal v) {
        try {
            return java.util.Optional.of(v.toBigIntegerExact());
        } catch (ArithmeticException e) {
            return java.util.Optional.empty();
        }
    }
}
