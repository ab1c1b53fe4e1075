package dev.canopy.pipeline.input;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.KeyValue;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.Util;

/**
 * Checks one Parquet file's footer, read in bounded memory, before Spark parses it: the footer's length, the
 * schema's nesting depth and column count, and the nesting of key-value metadata.
 *
 * <p>The footer is decoded with parquet-format's Thrift classes ({@link Util#readFileMetaData}, row groups
 * skipped, the message size capped at the footer's length), not with parquet-hadoop's footer reader: that one converts the schema to a
 * {@code MessageType} recursively, which is the very stack overflow this check exists to prevent. In the Thrift
 * form the schema is a flat, depth-first list of elements with child counts, which this class walks with an
 * explicit stack, so no input can make it recurse.
 */
public final class ParquetFooterCheck {

    private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ENCRYPTED_MAGIC = "PARE".getBytes(StandardCharsets.US_ASCII);
    /** Footer length (4 bytes, little-endian) and magic (4 bytes) at the end of every file. */
    static final int TAIL_BYTES = 8;

    private final String file;
    private final ParquetFooterLimits limits;

    private ParquetFooterCheck(String file, ParquetFooterLimits limits) {
        this.file = file;
        this.limits = limits;
    }

    /** Reads {@code length} bytes of the file ending {@code fromEnd} bytes before its end. */
    @FunctionalInterface
    public interface TailReader {
        byte[] read(long fromEnd, int length) throws IOException;
    }

    /**
     * Checks the footer of {@code file} ({@code fileSize} bytes, read through {@code tail}).
     *
     * @throws InvalidInputException naming the file, what is over its limit, the value and the limit
     */
    public static void check(String file, long fileSize, TailReader tail, ParquetFooterLimits limits) throws IOException {
        new ParquetFooterCheck(file, limits).check(fileSize, tail);
    }

    private void check(long fileSize, TailReader tail) throws IOException {
        if (fileSize < MAGIC.length + TAIL_BYTES) {
            throw invalid("it has " + fileSize + " bytes, fewer than the 12 of the smallest Parquet file");
        }
        byte[] end = tail.read(0, TAIL_BYTES);
        if (ByteBuffer.wrap(end, 4, 4).equals(ByteBuffer.wrap(ENCRYPTED_MAGIC))) {
            throw invalid("its footer is encrypted (magic PARE), which the input check cannot read; decrypt the file");
        }
        if (!ByteBuffer.wrap(end, 4, 4).equals(ByteBuffer.wrap(MAGIC))) {
            throw invalid("it does not end with the Parquet magic PAR1; is it a Parquet file?");
        }
        long footerBytes = Integer.toUnsignedLong(ByteBuffer.wrap(end, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
        if (footerBytes > fileSize - MAGIC.length - TAIL_BYTES) {
            throw invalid("its footer claims " + footerBytes + " bytes, but the file has only " + fileSize);
        }
        if (footerBytes > limits.maxFooterBytes()) {
            throw invalid("its footer has " + footerBytes + " bytes, more than the " + limits.maxFooterBytes()
                    + " allowed");
        }
        FileMetaData footer = decode(tail.read(TAIL_BYTES, (int) footerBytes));
        checkSchema(footer.getSchema());
        checkMetadata(footer.getKey_value_metadata());
    }

    private FileMetaData decode(byte[] footer) {
        try {
            // the footer's own length as Thrift's message size: a list or string may claim no more than it holds
            return Util.readFileMetaData(new ByteArrayInputStream(footer), true, null, null, Math.max(1, footer.length));
        } catch (IOException | RuntimeException e) {
            throw invalid("its footer cannot be decoded: " + e.getMessage());
        } catch (StackOverflowError e) { // Thrift skips unknown nested structs recursively; ours unwinds here
            throw invalid("its footer nests Thrift structs too deeply to decode");
        }
    }

    /** Walks the depth-first element list: each group's children follow it, {@code num_children} of them. */
    private void checkSchema(List<SchemaElement> schema) {
        if (schema == null || schema.isEmpty()) {
            throw invalid("its footer has no schema");
        }
        int[] open = new int[limits.maxSchemaDepth() + 1]; // children still to come, per open group (the root at 0)
        int depth = 0;
        open[0] = childCount(schema.get(0), 0);
        int columns = 0;
        for (int i = 1; i < schema.size(); i++) {
            while (depth > 0 && open[depth] == 0) {
                depth--;
            }
            if (open[depth] == 0) {
                throw invalid("its schema lists " + (schema.size() - i) + " elements after the root's children end");
            }
            open[depth]--;
            int children = childCount(schema.get(i), i);
            if (children == 0) {
                columns++;
                if (columns > limits.maxColumns()) {
                    throw invalid("its schema has more than " + limits.maxColumns() + " columns");
                }
            } else {
                depth++;
                if (depth > limits.maxSchemaDepth()) {
                    throw invalid("its schema nests groups more than " + limits.maxSchemaDepth() + " levels deep (at "
                            + "element " + i + " '" + schema.get(i).getName() + "')");
                }
                open[depth] = children;
            }
        }
        while (depth > 0 && open[depth] == 0) {
            depth--;
        }
        if (open[depth] != 0) {
            throw invalid("its schema ends before all groups have their children");
        }
    }

    private int childCount(SchemaElement e, int index) {
        int children = e.isSetNum_children() ? e.getNum_children() : 0;
        if (children < 0) {
            throw invalid("its schema element " + index + " has " + children + " children");
        }
        return children;
    }

    private void checkMetadata(List<KeyValue> metadata) {
        if (metadata == null) {
            return;
        }
        for (KeyValue kv : metadata) {
            int depth = BracketDepth.of(kv.getValue());
            if (depth > limits.maxMetadataDepth()) {
                throw invalid("its key-value metadata '" + kv.getKey() + "' nests brackets " + depth
                        + " levels deep, more than the " + limits.maxMetadataDepth() + " allowed");
            }
        }
    }

    private InvalidInputException invalid(String problem) {
        return new InvalidInputException("Cannot read input: Parquet file " + file + " is refused before Spark reads"
                + " it: " + problem);
    }
}
