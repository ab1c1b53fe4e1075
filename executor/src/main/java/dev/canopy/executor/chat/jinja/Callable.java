package dev.canopy.executor.chat.jinja;

import java.util.List;
import java.util.Map;

/** Something a template can call: a macro, {@code caller}, a global function or a bound method. */
interface Callable {

    /** Calls with positional {@code args} and keyword {@code kwargs}; {@code line} is the call site. */
    Object call(Renderer r, List<Object> args, Map<String, Object> kwargs, int line);
}
