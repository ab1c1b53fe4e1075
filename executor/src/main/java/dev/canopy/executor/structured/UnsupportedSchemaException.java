package dev.canopy.executor.structured;

/**
 * A constraint the grammar compiler cannot turn into a grammar: an unsupported JSON Schema keyword or
 * value, a regular expression feature, or a grammar past the size limit. The message names the
 * feature and where it is ({@code "Cannot compile schema: uniqueItems at /properties/tags is not
 * supported"}), so the caller can report it per row instead of generating unconstrained text.
 */
public final class UnsupportedSchemaException extends RuntimeException {

    public UnsupportedSchemaException(String message) {
        super(message);
    }
}
