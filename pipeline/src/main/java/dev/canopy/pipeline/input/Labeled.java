package dev.canopy.pipeline.input;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** An enum constant with the name configs and flags use for it. */
public interface Labeled {

    /** The name used in configs and flags. */
    String label();

    /**
     * The constant of {@code type} whose label is {@code label} (case and surrounding blanks ignored).
     *
     * @param what what the constants are, for the error message ("input format")
     * @throws IllegalArgumentException naming the value and listing the choices
     */
    static <E extends Enum<E> & Labeled> E parse(Class<E> type, String label, String what) {
        String wanted = label.trim().toLowerCase(Locale.ROOT);
        for (E constant : type.getEnumConstants()) {
            if (constant.label().equals(wanted)) {
                return constant;
            }
        }
        throw new IllegalArgumentException("Cannot use " + what + " '" + label + "': expected one of "
                + Arrays.stream(type.getEnumConstants()).map(Labeled::label).collect(Collectors.joining(", ")));
    }
}
