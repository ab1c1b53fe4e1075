package dev.canopy.executor.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.canopy.executor.gguf.ModelFormatException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and checks the header of a safetensors file, as strictly as the Hugging Face reader: an
 * 8-byte little-endian header length within the cap and the file, a JSON object without duplicate
 * keys, a known dtype, a non-negative shape whose byte size fits, data offsets inside the data
 * section that match that size, and tensors that neither overlap nor leave holes. Every problem is a
 * {@link ModelFormatException} naming the file and the tensor or field.
 */
final class SafetensorsHeaderParser {

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).build()).build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final String METADATA = "__metadata__";

    /** What a header describes: tensors by name in file order, string metadata, and where data starts. */
    record Header(Map<String, SafetensorsTensorInfo> tensors, Map<String, String> metadata, long dataOffset) {}

    private SafetensorsHeaderParser() {}

    static Header parse(Path file, MemorySegment data, SafetensorsLimits limits) {
        if (data.byteSize() < 8) {
            throw new ModelFormatException(file, "header length: expected 8 bytes, found a file of " + data.byteSize()
                    + " bytes; is this a safetensors file?");
        }
        long headerLength = data.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLength < 2 || headerLength > limits.maxHeaderBytes() || headerLength > data.byteSize() - 8) {
            throw new ModelFormatException(file, "header length: expected 2.." + Math.min(limits.maxHeaderBytes(),
                    data.byteSize() - 8) + " bytes (the cap and what the file holds), found " + Long.toUnsignedString(headerLength));
        }
        JsonNode root = readJson(file, data.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE));
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(file, "header: expected a JSON object of tensors, found "
                    + (root == null || root.isMissingNode() ? "no JSON value (blank header)" : root.getNodeType()));
        }
        if (root.size() > limits.maxTensors() + 1) {
            throw new ModelFormatException(file, "header: expected at most " + limits.maxTensors() + " tensors, found "
                    + root.size());
        }
        long dataOffset = 8 + headerLength;
        long dataSize = data.byteSize() - dataOffset;
        Map<String, SafetensorsTensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            if (entry.getKey().equals(METADATA)) {
                metadata(file, entry.getValue(), metadata);
            } else {
                tensors.put(entry.getKey(), tensor(file, entry.getKey(), entry.getValue(), dataSize, limits));
            }
        }
        checkLayout(file, tensors.values(), dataSize);
        return new Header(tensors, metadata, dataOffset);
    }

    private static JsonNode readJson(Path file, byte[] header) {
        try {
            return JSON.readTree(header);
        } catch (JacksonException e) {
            throw new ModelFormatException(file, "header: expected JSON, found " + e.getOriginalMessage(), e);
        } catch (java.io.IOException e) {
            throw new ModelFormatException(file, "header: cannot parse: " + e.getMessage(), e);
        }
    }

    private static void metadata(Path file, JsonNode node, Map<String, String> out) {
        if (!node.isObject()) {
            throw new ModelFormatException(file, "field " + METADATA + ": expected an object of strings");
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new ModelFormatException(file, "field " + METADATA + "." + e.getKey() + ": expected a string, found "
                        + e.getValue().getNodeType());
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
    }

    private static SafetensorsTensorInfo tensor(Path file, String name, JsonNode node, long dataSize,
            SafetensorsLimits limits) {
        String where = "tensor " + name + ": ";
        if (!node.isObject() || node.size() != 3 || !node.has("dtype") || !node.has("shape") || !node.has("data_offsets")) {
            throw new ModelFormatException(file, where + "expected exactly the fields dtype, shape and data_offsets, found "
                    + abbreviate(node));
        }
        String dtypeName = node.get("dtype").asText("");
        SafetensorsDtype dtype = SafetensorsDtype.named(dtypeName).orElseThrow(() -> new ModelFormatException(file, where
                + "field dtype: expected one of " + SafetensorsDtype.names() + ", found " + abbreviate(node.get("dtype"))));
        long[] shape = longs(file, where + "field shape", node.get("shape"), limits.maxRank());
        long[] offsets = longs(file, where + "field data_offsets", node.get("data_offsets"), 2);
        if (offsets.length != 2 || offsets[0] > offsets[1] || offsets[1] > dataSize) {
            throw new ModelFormatException(file, where + "field data_offsets: expected [begin, end] with begin <= end <= "
                    + dataSize + " (the data section's size), found " + abbreviate(node.get("data_offsets")));
        }
        long bytes = dtype.bytes();
        for (long d : shape) {
            try {
                bytes = Math.multiplyExact(bytes, d);
            } catch (ArithmeticException e) {
                throw new ModelFormatException(file, where + "field shape: " + abbreviate(node.get("shape"))
                        + " holds more bytes than a file can", e);
            }
        }
        if (bytes != offsets[1] - offsets[0]) {
            throw new ModelFormatException(file, where + "field data_offsets: shape " + abbreviate(node.get("shape")) + " of "
                    + dtype + " needs " + bytes + " bytes, but the offsets span " + (offsets[1] - offsets[0]));
        }
        return new SafetensorsTensorInfo(name, dtype, shape, offsets[0], offsets[1]);
    }

    /** Non-negative integers of a JSON array of at most {@code maxLength} elements. */
    private static long[] longs(Path file, String field, JsonNode node, int maxLength) {
        if (!node.isArray() || node.size() > maxLength) {
            throw new ModelFormatException(file, field + ": expected an array of at most " + maxLength
                    + " non-negative integers, found " + abbreviate(node));
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw new ModelFormatException(file, field + "[" + i + "]: expected a non-negative integer, found "
                        + abbreviate(v));
            }
            out[i] = v.longValue();
        }
        return out;
    }

    /** Tensors in offset order must tile the data section exactly: no overlap, no hole, nothing after. */
    private static void checkLayout(Path file, java.util.Collection<SafetensorsTensorInfo> tensors, long dataSize) {
        List<SafetensorsTensorInfo> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparingLong(SafetensorsTensorInfo::begin).thenComparingLong(SafetensorsTensorInfo::end));
        long expected = 0;
        String previous = null;
        for (SafetensorsTensorInfo t : sorted) {
            if (t.begin() < expected) {
                throw new ModelFormatException(file, "tensor " + t.name() + ": field data_offsets: its bytes [" + t.begin()
                        + ", " + t.end() + ") overlap tensor " + previous + ", which ends at " + expected);
            }
            if (t.begin() > expected) {
                throw new ModelFormatException(file, "tensor " + t.name() + ": field data_offsets: expected it to start at "
                        + expected + " (where " + (previous == null ? "the data section starts" : "tensor " + previous + " ends")
                        + "), found " + t.begin() + "; safetensors data has no holes");
            }
            expected = t.end();
            previous = t.name();
        }
        if (expected != dataSize) {
            throw new ModelFormatException(file, "data section: the tensors cover " + expected + " bytes, but the file holds "
                    + dataSize + " after the header; it is truncated or has trailing bytes");
        }
    }

    private static String abbreviate(JsonNode node) {
        String text = node == null ? "nothing" : node.toString();
        return text.length() > 80 ? text.substring(0, 80) + "…" : text;
    }
}
