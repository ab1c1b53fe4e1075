package dev.canopy.pipeline.input;

/** The deepest nesting of {@code [ ]} and <code>{ }</code> in a JSON-like text, outside string literals. */
final class BracketDepth {

    private BracketDepth() {}

    static int of(String text) {
        if (text == null) {
            return 0;
        }
        int depth = 0;
        int max = 0;
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                max = Math.max(max, ++depth);
            } else if (c == ']' || c == '}') {
                depth = Math.max(0, depth - 1);
            }
        }
        return max;
    }
}
