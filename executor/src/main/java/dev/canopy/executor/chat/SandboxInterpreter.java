package dev.canopy.executor.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpreterFactory;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;

/**
 * Jinjava's interpreter, failing fast: the first fatal error stops the render, as an exception stops
 * a Jinja render. Jinjava itself records the error and renders on, which wastes the budget and can
 * loop on an error (a macro recursing past its depth limit keeps recursing, with only a warning).
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
