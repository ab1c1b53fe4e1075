package dev.canopy.executor.chat.jinja;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A macro (or the {@code caller} of a call block): its body rendered in a child of the scope it was
 * defined in, with its parameters bound; extra arguments go to {@code varargs} and {@code kwargs}.
 */
final class MacroValue implements Callable {

    private final String name;
    private final List<String> params;
    private final List<Expr> defaults;
    private final List<Node> body;
    private final Scope closure;

    MacroValue(String name, List<String> params, List<Expr> defaults, List<Node> body, Scope closure) {
        this.name = name;
        this.params = params;
        this.defaults = defaults;
        this.body = body;
        this.closure = closure;
    }

    @Override
    public Object call(Renderer r, List<Object> args, Map<String, Object> kwargs, int line) {
        r.budget.enter(line, "macro calls");
        try {
            Scope s = new Scope(closure);
            Map<String, Object> extra = new LinkedHashMap<>(kwargs);
            int firstDefault = params.size() - defaults.size();
            for (int i = 0; i < params.size(); i++) {
                String p = params.get(i);
                if (i < args.size()) {
                    s.set(p, args.get(i));
                } else if (extra.containsKey(p)) {
                    s.set(p, extra.remove(p));
                } else if (i >= firstDefault) {
                    s.set(p, r.eval(defaults.get(i - firstDefault), s));
                } else {
                    s.set(p, new Undefined("parameter '" + p + "' was not provided"));
                }
            }
            if (extra.containsKey("caller")) {
                s.set("caller", extra.remove("caller"));
            }
            s.set("varargs", new Tuple(args.size() > params.size()
                    ? new ArrayList<>(args.subList(params.size(), args.size())) : List.of()));
            s.set("kwargs", extra);
            return r.capture(body, s);
        } finally {
            r.budget.exit();
        }
    }

    @Override
    public String toString() {
        return "<Macro " + name + ">";
    }
}
