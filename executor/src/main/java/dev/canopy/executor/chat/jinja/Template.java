package dev.canopy.executor.chat.jinja;

import dev.canopy.executor.chat.ChatTemplateError.Reason;
import dev.canopy.executor.chat.ChatTemplateLimits;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

/**
 * A parsed Jinja template, rendered by Canopy's own interpreter with the semantics of Python Jinja2 as
 * Hugging Face transformers configures it ({@code ImmutableSandboxedEnvironment(trim_blocks=True,
 * lstrip_blocks=True, extensions=[loopcontrols])}, its {@code tojson}, {@code raise_exception} and
 * {@code strftime_now}).
 *
 * <p>Sandboxed by construction: a template sees only the plain values it is given (strings, numbers,
 * booleans, lists, maps, None) and the functions, filters, tests and methods of this package; there is no
 * reflection and no path from a name to a Java object. Every render runs on the caller's thread and
 * charges each operation to a {@link Budget} before it runs, so it ends with a {@link TemplateError} at
 * the first operation that would pass a limit: no thread keeps running after a render stopped, and no
 * single operation can run long or allocate past the budget.
 *
 * <p>Immutable and safe to share between threads.
 */
public final class Template {

    private final List<Node> body;

    private Template(List<Node> body) {
        this.body = body;
    }

    /**
     * Parses {@code source}.
     *
     * @throws TemplateError with the line and reason if it does not parse, names an unknown filter or test, or
     *     uses a disabled tag
     */
    public static Template parse(String source) {
        try {
            return new Template(Parser.parse(source));
        } catch (StackOverflowError e) {
            throw tooDeep();
        } catch (TemplateError e) {
            throw e;
        } catch (RuntimeException e) {
            // A bug of the parser, not of the template: still an error naming the template, never an escape.
            throw new TemplateError(Reason.ERROR, 0, "the parser failed on this template: " + e);
        }
    }

    /**
     * Renders with the variables {@code vars} (plain values only), {@code strftime_now()} reading {@code now}.
     *
     * @throws TemplateError at the first failure or limit
     */
    public String render(Map<String, Object> vars, ZonedDateTime now, ChatTemplateLimits limits) {
        Renderer r = new Renderer(new Budget(limits, System.nanoTime()), new Globals(now));
        Scope scope = new Scope(null);
        vars.forEach(scope::set);
        try {
            return r.render(body, scope);
        } catch (StackOverflowError e) {
            throw tooDeep();
        } catch (TemplateError e) {
            throw e;
        } catch (RuntimeException e) {
            // A bug of the renderer, not of the template: still a failed row, never an escaped exception.
            throw new TemplateError(Reason.ERROR, 0, "the renderer failed on this template: " + e);
        }
    }

    private static TemplateError tooDeep() {
        return new TemplateError(Reason.DEPTH_LIMIT, 0, "the template nests expressions or calls too deeply "
                + "(stack overflow)");
    }
}
