package dev.canopy.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;

/**
 * Writes JSON lines in input order although they arrive in completion order: a line is written as
 * soon as every line before it has been.
 */
final class OrderedLines {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode[] pending; // (entries) lines not yet written
    private final Writer out;
    private int next;

    OrderedLines(int count, Writer out) {
        this.pending = new ObjectNode[count];
        this.out = out;
    }

    void put(int index, ObjectNode line) {
        pending[index] = line;
        try {
            while (next < pending.length && pending[next] != null) {
                out.write(JSON.writeValueAsString(pending[next]));
                out.write('\n');
                pending[next++] = null;
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write output: " + e.getMessage(), e);
        }
    }
}
