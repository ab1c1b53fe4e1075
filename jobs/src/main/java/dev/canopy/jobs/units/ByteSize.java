package dev.canopy.jobs.units;

import java.util.Locale;
import java.util.Optional;

/**
 * Human byte sizes, for flags and config keys alike: {@code 1048576}, {@code 512k}, {@code 512m}, {@code 2g},
 * {@code 2GiB}.
 */
public final class ByteSize {

    private ByteSize() {}

    public static Optional<Long> parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
        if (s.isEmpty()) {
            return Optional.empty();
        }
        long mult = switch (s.charAt(s.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            case 't' -> 1L << 40;
            default -> 1L;
        };
        String num = mult == 1 ? s : s.substring(0, s.length() - 1);
        try {
            double v = Double.parseDouble(num);
            if (!(v > 0) || v * mult > Long.MAX_VALUE) {
                return Optional.empty();
            }
            return Optional.of((long) (v * mult));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** {@code bytes} the shortest way {@link #parse} reads back exactly: {@code 1g}, {@code 512m}, {@code 1000}. */
    public static String format(long bytes) {
        String[] units = {"t", "g", "m", "k"};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << (10 * (units.length - i));
            if (bytes >= unit && bytes % unit == 0) {
                return bytes / unit + units[i];
            }
        }
        return Long.toString(bytes);
    }
}
