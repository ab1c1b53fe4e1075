package dev.canopy.executor.chat.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Python's {@code str} methods, see {@link Methods}. */
final class StringMethods {

    private StringMethods() {}

    static Object call(Renderer r, String s, String name, List<Object> args, Map<String, Object> kwargs, int line) {
        Budget b = r.budget;
        b.work(line, s.length());
        Object a0 = args.isEmpty() ? null : args.get(0);
        return switch (name) {
            case "strip", "lstrip", "rstrip" -> PyStrings.strip(s, a0 == null ? null : Methods.stringArg(args, 0, name,
                    line), !name.equals("rstrip"), !name.equals("lstrip"));
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower", "casefold" -> s.toLowerCase(Locale.ROOT);
            case "swapcase" -> swapcase(s);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s : s.substring(0, s.offsetByCodePoints(0, 1)).toUpperCase(Locale.ROOT)
                    + s.substring(s.offsetByCodePoints(0, 1)).toLowerCase(Locale.ROOT);
            case "startswith", "endswith" -> affix(s, a0, name.equals("startswith"), line);
            case "split", "rsplit" -> split(s, args.isEmpty() ? kwargs.get("sep") : a0,
                    args.size() > 1 ? args.get(1) : kwargs.getOrDefault("maxsplit", -1L), name.equals("rsplit"), b, line);
            case "splitlines" -> new ArrayList<Object>(splitlines(s));
            case "replace" -> replace(s, Methods.stringArg(args, 0, name, line), Methods.stringArg(args, 1, name, line),
                    args.size() > 2 ? Methods.intArg(args.get(2), name, line) : -1, b, line);
            case "find", "index" -> {
                int i = PyStrings.indexOf(s, Methods.stringArg(args, 0, name, line), 0, b, line);
                if (i < 0 && name.equals("index")) {
                    throw TemplateError.error(line, "substring not found");
                }
                yield i < 0 ? -1L : (long) s.codePointCount(0, i);
            }
            case "rfind", "rindex" -> {
                int i = s.lastIndexOf(Methods.stringArg(args, 0, name, line));
                if (i < 0 && name.equals("rindex")) {
                    throw TemplateError.error(line, "substring not found");
                }
                yield i < 0 ? -1L : (long) s.codePointCount(0, i);
            }
            case "count" -> {
                String needle = Methods.stringArg(args, 0, name, line);
                yield needle.isEmpty() ? PyStrings.length(s) + 1 : PyStrings.count(s, needle, Long.MAX_VALUE, b, line);
            }
            case "join" -> Filters.join(r, Values.iterate(a0, line), s, line);
            case "format" -> Formatting.format(s, args, kwargs, b, line);
            case "center", "ljust", "rjust" -> pad(s, name, Methods.intArg(a0, name, line),
                    args.size() > 1 ? Methods.stringArg(args, 1, name, line) : " ", b, line);
            case "zfill" -> {
                long width = Methods.intArg(a0, name, line);
                b.string(line, width, "zfill");
                String sign = s.startsWith("-") || s.startsWith("+") ? s.substring(0, 1) : "";
                yield sign + "0".repeat((int) Math.max(0, width - PyStrings.length(s))) + s.substring(sign.length());
            }
            case "removeprefix" -> s.startsWith(Methods.stringArg(args, 0, name, line)) ? s.substring(((String) a0).length()) : s;
            case "removesuffix" -> s.endsWith(Methods.stringArg(args, 0, name, line)) && !((String) a0).isEmpty()
                    ? s.substring(0, s.length() - ((String) a0).length()) : s;
            case "partition", "rpartition" -> {
                String sep = Methods.stringArg(args, 0, name, line);
                int i = name.equals("partition") ? PyStrings.indexOf(s, sep, 0, b, line) : s.lastIndexOf(sep);
                yield i < 0 ? (name.equals("partition") ? new Tuple(List.of(s, "", "")) : new Tuple(List.of("", "", s)))
                        : new Tuple(List.of(s.substring(0, i), sep, s.substring(i + sep.length())));
            }
            case "expandtabs" -> s.replace("\t", "        ");
            default -> predicate(s, name);
        };
    }

    private static Object predicate(String s, String name) {
        if (s.isEmpty()) {
            return false;
        }
        return switch (name) {
            case "isdigit", "isnumeric", "isdecimal" -> s.codePoints().allMatch(Character::isDigit);
            case "isalpha" -> s.codePoints().allMatch(Character::isLetter);
            case "isalnum" -> s.codePoints().allMatch(Character::isLetterOrDigit);
            case "isspace" -> s.codePoints().allMatch(PyStrings::space);
            case "isupper" -> s.codePoints().anyMatch(Character::isUpperCase) && s.codePoints().noneMatch(Character::isLowerCase);
            case "islower" -> s.codePoints().anyMatch(Character::isLowerCase) && s.codePoints().noneMatch(Character::isUpperCase);
            default -> s.equals(title(s));
        };
    }

    private static boolean affix(String s, Object arg, boolean start, int line) {
        if (arg instanceof List<?> options) {
            for (Object o : options) {
                if (affix(s, o, start, line)) {
                    return true;
                }
            }
            return false;
        }
        if (!(arg instanceof String a)) {
            throw TemplateError.error(line, (start ? "startswith" : "endswith") + " first arg must be str or a tuple "
                    + "of str, not " + Values.typeName(arg));
        }
        return start ? s.startsWith(a) : s.endsWith(a);
    }

    private static String swapcase(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(c -> sb.appendCodePoint(Character.isUpperCase(c) ? Character.toLowerCase(c)
                : Character.toUpperCase(c)));
        return sb.toString();
    }

    /** Python's {@code str.title}: a letter after a non-letter starts a word. */
    static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            sb.appendCodePoint(previousCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
            previousCased = Character.isLetter(c);
        }
        return sb.toString();
    }

    static List<Object> split(String s, Object sep, Object maxsplitValue, boolean fromRight, Budget b, int line) {
        long maxsplit = Methods.intArg(maxsplitValue, "split", line);
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            while (i < s.length()) {
                while (i < s.length() && PyStrings.space(s.charAt(i))) {
                    i++;
                }
                if (i >= s.length()) {
                    break;
                }
                if (maxsplit >= 0 && out.size() == maxsplit) {
                    out.add(PyStrings.strip(s.substring(i), null, false, true));
                    break;
                }
                int j = i;
                while (j < s.length() && !PyStrings.space(s.charAt(j))) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            }
            b.list(line, out.size(), "split");
            return out;
        }
        String needle = (String) sep;
        if (needle.isEmpty()) {
            throw TemplateError.error(line, "empty separator");
        }
        long n = PyStrings.count(s, needle, maxsplit < 0 || fromRight ? Long.MAX_VALUE : maxsplit, b, line);
        b.list(line, n + 1, "split");
        int[] at = PyStrings.occurrences(s, needle, (int) n, b, line);
        if (fromRight && maxsplit >= 0 && at.length > maxsplit) {
            at = java.util.Arrays.copyOfRange(at, at.length - (int) maxsplit, at.length);
        }
        int from = 0;
        for (int i : at) {
            out.add(s.substring(from, i));
            from = i + needle.length();
        }
        out.add(s.substring(from));
        return out;
    }

    /** Python's {@code str.splitlines()}: lines without their line breaks. */
    static List<String> splitlines(String s) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || (c >= 0x1c && c <= 0x1e) || c == 0x85 || c == 0x2028
                    || c == 0x2029) {
                out.add(s.substring(start, i));
                if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        if (start < s.length()) {
            out.add(s.substring(start));
        }
        return out;
    }

    /** {@code str.replace}, its result size computed from the occurrences before it is built. */
    static String replace(String s, String old, String with, long count, Budget b, int line) {
        if (old.isEmpty()) {
            long slots = Math.min(PyStrings.length(s) + 1, count < 0 ? Long.MAX_VALUE : count);
            b.string(line, s.length() + slots * with.length(), "replace");
            StringBuilder sb = new StringBuilder();
            int i = 0;
            for (long k = 0; k < slots; k++) {
                sb.append(with);
                if (i < s.length()) {
                    int next = s.offsetByCodePoints(i, 1);
                    sb.append(s, i, next);
                    i = next;
                }
            }
            return sb.append(s.substring(i)).toString();
        }
        long n = PyStrings.count(s, old, count < 0 ? Long.MAX_VALUE : count, b, line);
        if (n == 0) {
            return s;
        }
        b.string(line, s.length() + n * (with.length() - old.length()), "replace");
        int[] at = PyStrings.occurrences(s, old, (int) n, b, line);
        StringBuilder sb = new StringBuilder();
        int from = 0;
        for (int i : at) {
            sb.append(s, from, i).append(with);
            from = i + old.length();
        }
        return sb.append(s, from, s.length()).toString();
    }

    static String pad(String s, String how, long width, String fill, Budget b, int line) {
        long n = PyStrings.length(s);
        if (width <= n) {
            return s;
        }
        b.string(line, s.length() + (width - n) * fill.length(), how);
        long total = width - n;
        long left = switch (how) {
            case "ljust" -> 0;
            case "rjust" -> total;
            default -> total / 2 + (total & width & 1);
        };
        return fill.repeat((int) left) + s + fill.repeat((int) (total - left));
    }
}
