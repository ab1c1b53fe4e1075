package dev.canopy.executor.chat.jinja;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Jinja2's filters over sequences and mappings ({@code map}, {@code select}, {@code sort}, {@code dictsort}...), for {@link Filters}. */
final class ListFilters {

    private ListFilters() {}

    static List<Object> attributeOf(List<Object> items, Object attribute, int line) {
        if (attribute == null) {
            return items;
        }
        List<Object> out = new ArrayList<>(items.size());
        for (Object item : items) {
            out.add(attributePath(item, attribute, line));
        }
        return out;
    }

    /** Jinja2's {@code make_attrgetter}: {@code 'a.b'} or an index. */
    static Object attributePath(Object item, Object attribute, int line) {
        if (!(attribute instanceof String path)) {
            return Access.item(item, attribute, line);
        }
        Object v = item;
        for (String part : path.split("\\.")) {
            Object key = part.chars().allMatch(Character::isDigit) && !part.isEmpty() ? (Object) Long.parseLong(part) : part;
            v = Access.item(v, key, line);
        }
        return v;
    }

    static Object map(Renderer r, List<Object> items, List<Object> args, Map<String, Object> kw, int line) {
        List<Object> out = new ArrayList<>(items.size());
        if (args.isEmpty() && kw.containsKey("attribute")) {
            for (Object item : items) {
                Object v = attributePath(item, kw.get("attribute"), line);
                out.add(v instanceof Undefined && kw.containsKey("default") ? kw.get("default") : v);
            }
            return out;
        }
        if (args.isEmpty() || !(args.get(0) instanceof String filter) || !Filters.exists(filter)) {
            throw TemplateError.error(line, "map needs a filter name or attribute=");
        }
        Map<String, Object> rest = new LinkedHashMap<>(kw);
        for (Object item : items) {
            out.add(Filters.apply(r, filter, item, args.subList(1, args.size()), rest, line));
        }
        return out;
    }

    static List<Object> select(Renderer r, List<Object> items, String attribute, List<Object> args,
                                       boolean keep, int line) {
        List<Object> out = new ArrayList<>();
        for (Object item : items) {
            Object v = attribute == null ? item : attributePath(item, attribute, line);
            boolean pass;
            if (args.isEmpty()) {
                pass = Values.truthy(v);
            } else {
                String test = Values.str(args.get(0));
                if (!Tests.exists(test)) {
                    throw TemplateError.error(line, "no test named '" + test + "'");
                }
                pass = Tests.apply(r, test, v, args.subList(1, args.size()), line);
            }
            if (pass == keep) {
                out.add(item);
            }
        }
        return out;
    }

    static Object fold(Object v) {
        return v instanceof String s ? s.toLowerCase(Locale.ROOT) : v;
    }

    static List<Object> sort(List<Object> items, Filters.Args a, Budget b, int line) {
        boolean reverse = Values.truthy(a.get(0, "reverse", false));
        boolean caseSensitive = Values.truthy(a.get(1, "case_sensitive", false));
        Object attribute = a.get(2, "attribute", null);
        b.step(line, 1 + (long) items.size() * 20 / 64);
        List<Object> out = new ArrayList<>(items);
        out.sort((x, y) -> {
            Object kx = attribute == null ? x : attributePath(x, attribute, line);
            Object ky = attribute == null ? y : attributePath(y, attribute, line);
            int c = Values.compare(caseSensitive ? kx : fold(kx), caseSensitive ? ky : fold(ky), line);
            return reverse ? -c : c;
        });
        return out;
    }

    static Object dictsort(Object v, Filters.Args a, Budget b, int line) {
        if (!(v instanceof Map<?, ?> m)) {
            throw TemplateError.error(line, "dictsort needs a mapping, got " + Values.typeName(v));
        }
        boolean caseSensitive = Values.truthy(a.get(0, "case_sensitive", false));
        boolean byValue = "value".equals(a.get(1, "by", "key"));
        boolean reverse = Values.truthy(a.get(2, "reverse", false));
        List<Object> pairs = new ArrayList<>();
        m.forEach((k, val) -> pairs.add(new Tuple(java.util.Arrays.asList(k, val))));
        b.step(line, 1 + (long) pairs.size() * 20 / 64);
        pairs.sort((x, y) -> {
            Object kx = ((List<?>) x).get(byValue ? 1 : 0);
            Object ky = ((List<?>) y).get(byValue ? 1 : 0);
            int c = Values.compare(caseSensitive ? kx : fold(kx), caseSensitive ? ky : fold(ky), line);
            return reverse ? -c : c;
        });
        return pairs;
    }

    static Object extreme(Object v, Filters.Args a, boolean max, int line) {
        boolean caseSensitive = Values.truthy(a.get(0, "case_sensitive", false));
        Object attribute = a.get(1, "attribute", null);
        Object best = null;
        boolean found = false;
        for (Object item : Values.iterate(v, line)) {
            Object key = attribute == null ? item : attributePath(item, attribute, line);
            Object bestKey = !found ? null : attribute == null ? best : attributePath(best, attribute, line);
            if (!found || Values.compare(caseSensitive ? key : fold(key), caseSensitive ? bestKey : fold(bestKey), line)
                    * (max ? 1 : -1) > 0) {
                best = item;
                found = true;
            }
        }
        return found ? best : new Undefined("No aggregated item, sequence was empty.");
    }

    static List<Object> batch(Object v, long size, Object fill, boolean hasFill, Budget b, int line) {
        if (size <= 0) {
            throw TemplateError.error(line, "batch size must be positive");
        }
        List<Object> items = Values.iterate(v, line);
        if (hasFill) {
            b.list(line, items.size() + size, "filter batch");
        }
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i += (int) Math.min(size, Integer.MAX_VALUE)) {
            List<Object> chunk = new ArrayList<>(items.subList(i, (int) Math.min(items.size(), i + size)));
            while (hasFill && chunk.size() < size) {
                chunk.add(fill);
            }
            out.add(chunk);
        }
        return out;
    }
}
