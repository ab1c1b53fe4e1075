package dev.canopy.executor.chat.jinja;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/** Python's {@code strftime} directives in the C locale, for {@code strftime_now(format)}. */
final class Strftime {

    private Strftime() {}

    static String format(String format, ZonedDateTime t) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                sb.append(c);
                continue;
            }
            char d = format.charAt(++i);
            boolean unpadded = d == '-' && i + 1 < format.length();
            if (unpadded) {
                d = format.charAt(++i);
            }
            String v = switch (d) {
                case 'd' -> pad(t.getDayOfMonth(), 2, unpadded);
                case 'm' -> pad(t.getMonthValue(), 2, unpadded);
                case 'Y' -> String.valueOf(t.getYear());
                case 'y' -> pad(t.getYear() % 100, 2, unpadded);
                case 'H' -> pad(t.getHour(), 2, unpadded);
                case 'I' -> pad(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12, 2, unpadded);
                case 'M' -> pad(t.getMinute(), 2, unpadded);
                case 'S' -> pad(t.getSecond(), 2, unpadded);
                case 'j' -> pad(t.getDayOfYear(), 3, unpadded);
                case 'p' -> t.getHour() < 12 ? "AM" : "PM";
                case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'w' -> String.valueOf(t.getDayOfWeek().getValue() % 7);
                case 'u' -> String.valueOf(t.getDayOfWeek().getValue());
                case 'Z' -> "UTC";
                case 'z' -> "+0000";
                case '%' -> "%";
                default -> "%" + (unpadded ? "-" : "") + d;
            };
            sb.append(v);
        }
        return sb.toString();
    }

    private static String pad(int v, int width, boolean unpadded) {
        String s = String.valueOf(v);
        return unpadded ? s : "0".repeat(Math.max(0, width - s.length())) + s;
    }
}
