package dev.canopy.executor.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * GPT-2's byte-to-character table ({@code bytes_to_unicode}): byte-level BPE writes every byte as a
 * printable character. Printable Latin-1 bytes ({@code !..~}, {@code ¡..¬}, {@code ®..ÿ}) stand for
 * themselves; the other 68 bytes map, in order, to U+0100 onwards (so space is {@code Ġ}, U+0120, and
 * newline is {@code Ċ}, U+010A).
 */
final class ByteLevelAlphabet {

    private static final char[] CHAR_OF_BYTE = buildTable(); // (256) stand-in character of each byte
    private static final Map<Character, Integer> BYTE_OF_CHAR = invert(CHAR_OF_BYTE);

    private ByteLevelAlphabet() {}

    /** The stand-in character of byte {@code b} (0..255). */
    static char charOf(int b) {
        return CHAR_OF_BYTE[b];
    }

    /** The UTF-8 bytes of {@code text}, each written as its stand-in character. */
    static String encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = CHAR_OF_BYTE[bytes[i] & 0xFF];
        }
        return new String(chars);
    }

    /**
     * The bytes that a byte-level token text stands for. A character outside the table (not written by
     * byte-level BPE) contributes its own UTF-8 bytes.
     */
    static byte[] decode(String tokenText) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(tokenText.length());
        tokenText.codePoints().forEach(cp -> {
            Integer b = cp <= Character.MAX_VALUE ? BYTE_OF_CHAR.get((char) cp) : null;
            if (b != null) {
                out.write(b);
            } else {
                out.writeBytes(Character.toString(cp).getBytes(StandardCharsets.UTF_8));
            }
        });
        return out.toByteArray();
    }

    private static char[] buildTable() {
        char[] table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = (char) (printable ? b : next++);
        }
        return table;
    }

    private static Map<Character, Integer> invert(char[] table) {
        Map<Character, Integer> map = new HashMap<>();
        for (int b = 0; b < table.length; b++) {
            map.put(table[b], b);
        }
        return map;
    }
}
