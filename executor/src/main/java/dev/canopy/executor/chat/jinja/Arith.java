package dev.canopy.executor.chat.jinja;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Python arithmetic on template values: ints grow into {@code BigInteger} instead of overflowing, {@code /}
 * gives a float, {@code //} and {@code %} floor, {@code +} joins strings and lists and {@code *} repeats
 * them. Sizes of results are charged to the {@link Budget} before they are built.
 */
final class Arith {

    private Arith() {}

    static Object binary(String op, Object a, Object b, Budget budget, int line) {
        if (op.equals("+") && a instanceof String x && b instanceof String y) {
            budget.string(line, (long) x.length() + y.length(), "'+'");
            return x + y;
        }
        if (op.equals("+") && a instanceof List<?> x && b instanceof List<?> y && (a instanceof Tuple) == (b instanceof Tuple)) {
            budget.list(line, (long) x.size() + y.size(), "'+'");
            List<Object> out = new ArrayList<>(x);
            out.addAll(y);
            return a instanceof Tuple ? new Tuple(out) : out;
        }
        if (op.equals("*") && (a instanceof String || a instanceof List<?>) && isInt(b)) {
            return repeat(a, b, budget, line);
        }
        if (op.equals("*") && (b instanceof String || b instanceof List<?>) && isInt(a)) {
            return repeat(b, a, budget, line);
        }
        if (op.equals("%") && a instanceof String format) {
            return Formatting.percent(format, b, budget, line);
        }
        if (!Values.isNumber(a) || !Values.isNumber(b) || a instanceof Undefined || b instanceof Undefined) {
            throw TemplateError.error(line, "unsupported operand type(s) for " + op + ": '" + Values.typeName(a)
                    + "' and '" + Values.typeName(b) + "'");
        }
        if (a instanceof Double || b instanceof Double || op.equals("/")) {
            return floats(op, toDouble(a), toDouble(b), line);
        }
        if (a instanceof Long x && b instanceof Long y) {
            try {
                switch (op) {
                    case "+" -> {
                        return Math.addExact(x, y);
                    }
                    case "-" -> {
                        return Math.subtractExact(x, y);
                    }
                    case "*" -> {
                        return Math.multiplyExact(x, y);
                    }
                    case "//" -> {
                        if (y != 0) {
                            return Math.floorDiv(x, y);
                        }
                    }
                    case "%" -> {
                        if (y != 0) {
                            return Math.floorMod(x, y);
                        }
                    }
                    default -> { }
                }
            } catch (ArithmeticException overflow) {
                // Python ints do not overflow: go on with BigInteger
            }
        }
        return integers(op, big(a), big(b), budget, line);
    }

    private static boolean isInt(Object v) {
        return v instanceof Long || v instanceof BigInteger || v instanceof Boolean;
    }

    private static Object repeat(Object seq, Object times, Budget budget, int line) {
        long n = Math.max(0, big(times).min(BigInteger.valueOf(Integer.MAX_VALUE)).longValue());
        if (seq instanceof String s) {
            budget.string(line, s.length() * n, "'*'");
            return s.repeat((int) n);
        }
        List<?> l = (List<?>) seq;
        budget.list(line, l.size() * n, "'*'");
        List<Object> out = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            out.addAll(l);
        }
        return seq instanceof Tuple ? new Tuple(out) : out;
    }

    private static Object floats(String op, double x, double y, int line) {
        if ((op.equals("/") || op.equals("//") || op.equals("%")) && y == 0) {
            throw TemplateError.error(line, "division by zero");
        }
        return switch (op) {
            case "+" -> x + y;
            case "-" -> x - y;
            case "*" -> x * y;
            case "/" -> x / y;
            case "//" -> Math.floor(x / y);
            case "%" -> {
                double m = x % y;
                yield m != 0 && (m < 0) != (y < 0) ? m + y : m;
            }
            case "**" -> Math.pow(x, y);
            default -> throw TemplateError.error(line, "unknown operator " + op);
        };
    }

    private static Object integers(String op, BigInteger x, BigInteger y, Budget budget, int line) {
        if ((op.equals("//") || op.equals("%")) && y.signum() == 0) {
            throw TemplateError.error(line, "integer division or modulo by zero");
        }
        return normalize(switch (op) {
            case "+" -> x.add(y);
            case "-" -> x.subtract(y);
            case "*" -> {
                budget.allocate(line, (x.bitLength() + y.bitLength()) / 8 + 16);
                yield x.multiply(y);
            }
            case "//" -> floorDiv(x, y);
            case "%" -> x.subtract(floorDiv(x, y).multiply(y));
            case "**" -> {
                if (y.signum() < 0) {
                    yield null;
                }
                long bits = (long) Math.max(1, x.bitLength()) * y.min(BigInteger.valueOf(Integer.MAX_VALUE)).longValue();
                budget.string(line, bits / 3, "'**'");
                yield x.pow(y.intValueExact());
            }
            default -> throw TemplateError.error(line, "unknown operator " + op);
        }, x, y, op);
    }

    private static Object normalize(BigInteger v, BigInteger x, BigInteger y, String op) {
        if (v == null) {
            return Math.pow(x.doubleValue(), y.doubleValue());
        }
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private static BigInteger floorDiv(BigInteger x, BigInteger y) {
        BigInteger[] qr = x.divideAndRemainder(y);
        return qr[1].signum() != 0 && (qr[1].signum() != y.signum()) ? qr[0].subtract(BigInteger.ONE) : qr[0];
    }

    static Object negate(Object v, int line) {
        return switch (v) {
            case null -> throw TemplateError.error(line, "bad operand type for unary -: 'NoneType'");
            case Long l when l != Long.MIN_VALUE -> -l;
            case Long l -> BigInteger.valueOf(l).negate();
            case BigInteger b -> b.negate();
            case Double d -> -d;
            case Boolean b -> b ? -1L : 0L;
            default -> throw TemplateError.error(line, "bad operand type for unary -: '" + Values.typeName(v) + "'");
        };
    }

    /**
     * The integer {@code v} clamped to [-bound, bound]: indices, widths and counts beyond any limit behave as
     * the bound does (an index past the end, a width the budget refuses), without overflowing a long.
     */
    static long clamp(Object v, long bound) {
        return big(v).max(BigInteger.valueOf(-bound)).min(BigInteger.valueOf(bound)).longValue();
    }

    static BigInteger big(Object v) {
        return switch (v) {
            case Long l -> BigInteger.valueOf(l);
            case BigInteger b -> b;
            case Boolean b -> b ? BigInteger.ONE : BigInteger.ZERO;
            default -> BigInteger.valueOf((long) toDouble(v));
        };
    }

    static double toDouble(Object v) {
        return switch (v) {
            case Long l -> l;
            case BigInteger b -> b.doubleValue();
            case Double d -> d;
            case Boolean b -> b ? 1 : 0;
            default -> throw new IllegalArgumentException("not a number: " + v);
        };
    }

    private static BigDecimal decimal(Object v) {
        return v instanceof Double d ? new BigDecimal(d) : new BigDecimal(big(v));
    }

    static int compareNumbers(Object a, Object b) {
        if (a instanceof Double || b instanceof Double) {
            double x = toDouble(a);
            double y = toDouble(b);
            if (Double.isNaN(x) || Double.isNaN(y)) {
                return x == y ? 0 : 1;
            }
            if (Double.isInfinite(x) || Double.isInfinite(y)) {
                return Double.compare(x, y);
            }
            return decimal(a).compareTo(decimal(b));
        }
        if (a instanceof Long x && b instanceof Long y) {
            return Long.compare(x, y);
        }
        return big(a).compareTo(big(b));
    }
}
