package dev.canopy.executor.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpreterFactory;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.objects.SafeString;

/**
 * Jinjava's interpreter, changed in two ways to behave like Jinja:
 * <ul>
 *   <li>it fails fast: the first fatal error stops the render, as an exception stops a Jinja render.
 *       Jinjava itself records the error and renders on, which wastes the budget and can loop on an
 *       error (a macro recursing past its depth limit keeps recursing, with only a warning);</li>
 *   <li>it prints values as Python does: strings exactly as they are (jinjava's Python-style printer
 *       would write a control character in a message as the six characters {@code \u000e}), booleans
 *       as {@code True} and {@code False}, lists and dicts in Python's notation.</li>
 * </ul>
 */
final class SandboxInterpreter extends JinjavaInterpreter {

    /** Creates these interpreters for jinjava. */
    static final class Factory implements InterpreterFactory {
        @Override
        public JinjavaInterpreter newInstance(JinjavaInterpreter orig) {
            return new SandboxInterpreter(orig);
        }

        @Override
        public JinjavaInterpreter newInstance(Jinjava application, Context context, JinjavaConfig renderConfig) {
            return new SandboxInterpreter(application, context, renderConfig);
        }
    }

    private SandboxInterpreter(JinjavaInterpreter orig) {
        super(orig);
    }

    private SandboxInterpreter(Jinjava application, Context context, JinjavaConfig renderConfig) {
        super(application, context, renderConfig);
    }

    @Override
    public String getAsString(Object value) {
        if (value instanceof String || value instanceof SafeString) {
            return value.toString();
        }
        if (value instanceof Boolean b) {
            return b ? "True" : "False";
        }
        return super.getAsString(value);
    }

    @Override
    public void addError(TemplateError error) {
        super.addError(error);
        if (error != null) {
            JinjavaErrors.failure(error).ifPresent(reason -> {
                throw RenderBudget.current().stop(reason, JinjavaErrors.detail(error), error.getLineno(),
                        error.getStartPosition());
            });
        }
    }
}
