package dev.canopy.executor.chat.jinja;

/**
 * Jinja2's default {@code Undefined}: what a missing variable, key, attribute or index gives. It prints as
 * nothing, is false, iterates as empty and compares equal only to another undefined; reading an attribute
 * or item of it fails, naming what was missing.
 *
 * @param hint what was missing, e.g. {@code 'x' is undefined} or {@code 'dict object' has no attribute 'y'}
 */
record Undefined(String hint) {

    TemplateError error(int line) {
        return new TemplateError(dev.canopy.executor.chat.ChatTemplateError.Reason.ERROR, line, hint);
    }
}
