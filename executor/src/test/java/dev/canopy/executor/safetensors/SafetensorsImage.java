package dev.canopy.executor.safetensors;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds safetensors bytes for tests: a header written verbatim (so tests can make it lie) or from
 * tensors laid out back to back, padded with spaces to 8 bytes as the Hugging Face writer does.
 */
public final class SafetensorsImage {

    private record Entry(String name, String dtype, long[] shape, byte[] data) {}

    private final List<Entry> entries = new ArrayList<>();

    public SafetensorsImage add(String name, String dtype, long[] shape, byte[] data) {
        entries.add(new Entry(name, dtype, shape, data));
        return this;
    }

    /** The JSON header these tensors get. */
    String header() {
        StringBuilder json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (Entry e : entries) {
            json.append(",\"").append(e.name()).append("\":{\"dtype\":\"").append(e.dtype()).append("\",\"shape\":[");
            for (int i = 0; i < e.shape().length; i++) {
                json.append(i == 0 ? "" : ",").append(e.shape()[i]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(offset + e.data().length).append("]}");
            offset += e.data().length;
        }
        return json.append('}').toString();
    }

    /** The tensors' bytes, back to back. */
    byte[] data() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        entries.forEach(e -> out.writeBytes(e.data()));
        return out.toByteArray();
    }

    public byte[] bytes() {
        return bytes(header(), data());
    }

    /** A file of {@code header} (padded to 8 bytes) then {@code data}. */
    static byte[] bytes(String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        return withHeaderLength(padded, header, data);
    }

    /** A file whose length field says {@code headerLength}, whatever the header really is. */
    static byte[] withHeaderLength(long headerLength, String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer buf = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(headerLength).put(json);
        for (int i = json.length; i < padded; i++) {
            buf.put((byte) ' ');
        }
        return buf.put(data).array();
    }

    public static byte[] floats(float... values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buf.putFloat(v);
        }
        return buf.array();
    }
}
