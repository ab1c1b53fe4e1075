package dev.canopy.jobs.cli;

import java.util.Locale;
import java.util.Optional;

/** Parses human byte sizes: {@code 1048576}, {@code 512k}, {@code 512m}, {@code 2g}, {@code 2GiB}. */
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
}
