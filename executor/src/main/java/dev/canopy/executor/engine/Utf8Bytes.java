package dev.canopy.executor.engine;

/** UTF-8 sizes of Java text, and its longest prefix within a byte budget that does not split a character. */
final class Utf8Bytes {

    private Utf8Bytes() {}

    /** Bytes of {@code text} in UTF-8 (an unpaired surrogate counts as the 3 bytes of U+FFFD). */
    static long length(CharSequence text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** The longest prefix of {@code text} whose UTF-8 form has at most {@code maxBytes} bytes, whole characters only. */
    static String prefix(String text, long maxBytes) {
        long bytes = 0;
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + size > maxBytes) {
                break;
            }
            bytes += size;
            i += Character.charCount(cp);
        }
        return text.substring(0, i);
    }
}
