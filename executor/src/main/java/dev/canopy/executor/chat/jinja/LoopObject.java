package dev.canopy.executor.chat.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code loop} inside a for loop: position, neighbours, {@code cycle()} and {@code changed()}. */
final class LoopObject {

    private final List<Object> items;
    int index0;
    /** The arguments of the last {@code changed(...)} call; null before the first. */
    private List<Object> lastChanged;

    LoopObject(List<Object> items) {
        this.items = items;
    }

    Object attribute(String name) {
        int n = items.size();
        return switch (name) {
            case "index" -> (long) index0 + 1;
            case "index0" -> (long) index0;
            case "revindex" -> (long) (n - index0);
            case "revindex0" -> (long) (n - index0 - 1);
            case "first" -> index0 == 0;
            case "last" -> index0 == n - 1;
            case "length" -> (long) n;
            case "depth" -> 1L;
            case "depth0" -> 0L;
            case "previtem" -> index0 > 0 ? items.get(index0 - 1) : new Undefined("there is no previous item");
            case "nextitem" -> index0 + 1 < n ? items.get(index0 + 1) : new Undefined("there is no next item");
            case "cycle" -> (Callable) this::cycle;
            case "changed" -> (Callable) this::changed;
            default -> new Undefined("'LoopContext' object has no attribute '" + name + "'");
        };
    }

    /** Jinja2's {@code loop.changed(*values)}: true on the first call and whenever the values differ (Python ==) from the last call's. */
    private Object changed(Renderer r, List<Object> args, Map<String, Object> kwargs, int line) {
        List<Object> values = new ArrayList<>(args); // may hold None (null)
        if (lastChanged != null && Values.eq(lastChanged, values)) {
            return false;
        }
        lastChanged = values;
        return true;
    }

    private Object cycle(Renderer r, List<Object> args, Map<String, Object> kwargs, int line) {
        if (args.isEmpty()) {
            throw TemplateError.error(line, "no items for cycling given");
        }
        return args.get(index0 % args.size());
    }
}
