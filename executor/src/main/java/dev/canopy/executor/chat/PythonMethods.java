package dev.canopy.executor.chat;

import com.hubspot.jinjava.objects.SafeString;
import com.hubspot.jinjava.objects.collections.PyList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The Python methods that Hugging Face chat templates call on strings and dicts
 * ({@code content.strip()}, {@code message.get('tool_calls')}, {@code tools.items()}), implemented
 * with Python's meaning. They are the only methods a template can call: no Java method is reachable.
 * Every result is checked against the string and list limits before it is returned.
 */
final class PythonMethods {

    static final List<String> STRING_METHODS = List.of("strip", "lstrip", "rstrip", "startswith", "endswith", "upper",
            "lower", "title", "capitalize", "split", "replace", "find", "count", "join");
    static final List<String> MAP_METHODS = List.of("get", "keys", "values", "items");

    private PythonMethods() {}

    /** Whether {@code base} is a value templates may call methods on. */
    static boolean isCallable(Object base) {
        return base instanceof String || base instanceof SafeString || base instanceof Map<?, ?>;
    }

    /** Calls {@code name} on {@code base} (a string or a map) with {@code args}. */
    static Object call(Object base, String name, Object[] args, RenderBudget budget) {
        budget.step(1);
        Object result = base instanceof Map<?, ?> map ? callOnMap(map, name, args, budget)
                : callOnString(base.toString(), name, args, budget);
        return Bounds.checked(result, "method " + name, budget);
    }

    private static Object callOnString(String s, String name, Object[] args, RenderBudget budget) {
        return switch (name) {
            case "strip" -> stripEnd(stripStart(s, chars(args, name, budget)), chars(args, name, budget));
            case "lstrip" -> stripStart(s, chars(args, name, budget));
            case "rstrip" -> stripEnd(s, chars(args, name, budget));
            case "startswith" -> matchesAny(s, arg(args, 0, 1, name, budget), true);
            case "endswith" -> matchesAny(s, arg(args, 0, 1, name, budget), false);
            case "upper" -> noArgs(args, name, budget, s.toUpperCase(java.util.Locale.ROOT));
            case "lower" -> noArgs(args, name, budget, s.toLowerCase(java.util.Locale.ROOT));
            case "title" -> noArgs(args, name, budget, title(s));
            case "capitalize" -> noArgs(args, name, budget, s.isEmpty() ? s
                    : s.substring(0, 1).toUpperCase(java.util.Locale.ROOT) + s.substring(1).toLowerCase(java.util.Locale.ROOT));
            case "split" -> split(s, args, budget);
            case "replace" -> replace(s, args, budget);
            case "find" -> s.indexOf(text(arg(args, 0, 1, name, budget), name, budget));
            case "count" -> count(s, text(arg(args, 0, 1, name, budget), name, budget));
            case "join" -> join(s, arg(args, 0, 1, name, budget), budget);
            default -> throw budget.stop(ChatTemplateError.Reason.FORBIDDEN, "templates cannot call method '" + name
                    + "' on a string; the string methods they may call are " + STRING_METHODS);
        };
    }

    private static Object callOnMap(Map<?, ?> map, String name, Object[] args, RenderBudget budget) {
        return switch (name) {
            case "get" -> {
                if (args.length < 1 || args.length > 2) {
                    throw badArgs(name, "1 or 2", args.length, budget);
                }
                Object value = map.get(args[0]);
                yield value != null || map.containsKey(args[0]) ? value : args.length == 2 ? args[1] : null;
            }
            case "keys" -> noArgs(args, name, budget, new PyList(new ArrayList<>(map.keySet())));
            case "values" -> noArgs(args, name, budget, new PyList(new ArrayList<>(map.values())));
            case "items" -> {
                List<Object> items = new ArrayList<>(map.size());
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    items.add(new PyList(new ArrayList<>(java.util.Arrays.asList(e.getKey(), e.getValue()))));
                }
                yield noArgs(args, name, budget, new PyList(items));
            }
            default -> throw budget.stop(ChatTemplateError.Reason.FORBIDDEN, "templates cannot call method '" + name
                    + "' on a mapping; the mapping methods they may call are " + MAP_METHODS);
        };
    }

    private static String stripStart(String s, String chars) {
        int i = 0;
        while (i < s.length() && strips(s.charAt(i), chars)) {
            i++;
        }
        return s.substring(i);
    }

    private static String stripEnd(String s, String chars) {
        int j = s.length();
        while (j > 0 && strips(s.charAt(j - 1), chars)) {
            j--;
        }
        return s.substring(0, j);
    }

    private static boolean strips(char c, String chars) {
        return chars == null ? Character.isWhitespace(c) || Character.isSpaceChar(c) : chars.indexOf(c) >= 0;
    }

    /** The optional characters argument of strip/lstrip/rstrip; null means whitespace. */
    private static String chars(Object[] args, String name, RenderBudget budget) {
        if (args.length > 1) {
            throw badArgs(name, "0 or 1", args.length, budget);
        }
        return args.length == 0 || args[0] == null ? null : text(args[0], name, budget);
    }

    private static boolean matchesAny(String s, Object affixes, boolean prefix) {
        if (affixes instanceof Collection<?> options) {
            for (Object o : options) {
                if (matchesAny(s, o, prefix)) {
                    return true;
                }
            }
            return false;
        }
        String a = String.valueOf(affixes);
        return prefix ? s.startsWith(a) : s.endsWith(a);
    }

    private static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean previousIsLetter = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(previousIsLetter ? Character.toLowerCase(c) : Character.toUpperCase(c));
            previousIsLetter = Character.isLetter(c);
        }
        return sb.toString();
    }

    private static PyList split(String s, Object[] args, RenderBudget budget) {
        if (args.length > 2) {
            throw badArgs("split", "0 to 2", args.length, budget);
        }
        String sep = args.length == 0 || args[0] == null ? null : text(args[0], "split", budget);
        long maxSplit = args.length == 2 ? integer(args[1], "split", budget) : -1;
        if (sep != null && sep.isEmpty()) {
            throw budget.stop(ChatTemplateError.Reason.ERROR, "split() got an empty separator");
        }
        List<Object> parts = new ArrayList<>();
        int i = 0;
        if (sep == null) {
            while (true) {
                while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                    i++;
                }
                if (i == s.length()) {
                    break;
                }
                if (maxSplit >= 0 && parts.size() == maxSplit) {
                    parts.add(stripEnd(s.substring(i), null));
                    break;
                }
                int j = i;
                while (j < s.length() && !Character.isWhitespace(s.charAt(j))) {
                    j++;
                }
                parts.add(s.substring(i, j));
                i = j;
            }
        } else {
            int j;
            while ((maxSplit < 0 || parts.size() < maxSplit) && (j = s.indexOf(sep, i)) >= 0) {
                parts.add(s.substring(i, j));
                i = j + sep.length();
            }
            parts.add(s.substring(i));
        }
        return new PyList(parts);
    }

    private static String replace(String s, Object[] args, RenderBudget budget) {
        if (args.length < 2 || args.length > 3) {
            throw badArgs("replace", "2 or 3", args.length, budget);
        }
        String old = text(args[0], "replace", budget);
        String replacement = text(args[1], "replace", budget);
        long limit = args.length == 3 ? integer(args[2], "replace", budget) : -1;
        Bounds.checkReplace(s, old, replacement, limit, budget);
        if (old.isEmpty()) {
            return Bounds.replaceEmpty(s, replacement, limit);
        }
        StringBuilder sb = new StringBuilder();
        int i = 0;
        int j;
        long done = 0;
        while ((limit < 0 || done < limit) && (j = s.indexOf(old, i)) >= 0) {
            sb.append(s, i, j).append(replacement);
            i = j + old.length();
            done++;
        }
        return sb.append(s, i, s.length()).toString();
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.length() + 1L;
        }
        long n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
            n++;
        }
        return n;
    }

    private static String join(String separator, Object items, RenderBudget budget) {
        if (!(items instanceof Collection<?> parts)) {
            throw budget.stop(ChatTemplateError.Reason.ERROR, "join() expects a list, got " + TemplateValues.describe(items));
        }
        long length = (long) separator.length() * Math.max(0, parts.size() - 1);
        for (Object p : parts) {
            length += String.valueOf(p).length();
        }
        Bounds.checkLength(length, "join()", budget);
        StringBuilder sb = new StringBuilder((int) length);
        boolean first = true;
        for (Object p : parts) {
            sb.append(first ? "" : separator).append(p);
            first = false;
        }
        return sb.toString();
    }

    private static Object noArgs(Object[] args, String name, RenderBudget budget, Object result) {
        if (args.length != 0) {
            throw badArgs(name, "no", args.length, budget);
        }
        return result;
    }

    private static Object arg(Object[] args, int index, int expected, String name, RenderBudget budget) {
        if (args.length != expected) {
            throw badArgs(name, String.valueOf(expected), args.length, budget);
        }
        return args[index];
    }

    private static String text(Object o, String name, RenderBudget budget) {
        if (o instanceof String || o instanceof SafeString) {
            return o.toString();
        }
        throw budget.stop(ChatTemplateError.Reason.ERROR, name + "() expects a string argument, got "
                + TemplateValues.describe(o));
    }

    private static long integer(Object o, String name, RenderBudget budget) {
        if (o instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.longValue();
        }
        throw budget.stop(ChatTemplateError.Reason.ERROR, name + "() expects an integer argument, got "
                + TemplateValues.describe(o));
    }

    private static RenderStopped badArgs(String name, String expected, int got, RenderBudget budget) {
        return budget.stop(ChatTemplateError.Reason.ERROR, name + "() takes " + expected + " arguments, got " + got);
    }
}
