package dev.canopy.pipeline.input;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.parquet.format.FieldRepetitionType;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.KeyValue;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.Type;
import org.apache.parquet.format.Util;

/**
 * Parquet files with hostile footers, written byte by byte ({@code PAR1}, a Thrift {@code FileMetaData}, its length,
 * {@code PAR1}) with no row groups: parquet-hadoop's writer would itself recurse over a deep schema.
 */
final class HostileParquet {

    private HostileParquet() {}

    /** A schema of {@code depth} nested optional groups around one INT32 column. */
    static List<SchemaElement> nested(int depth) {
        List<SchemaElement> schema = new ArrayList<>(depth + 2);
        schema.add(new SchemaElement("schema").setNum_children(1));
        for (int i = 0; i < depth; i++) {
            schema.add(new SchemaElement("g" + i).setNum_children(1).setRepetition_type(FieldRepetitionType.OPTIONAL));
        }
        schema.add(leaf("x"));
        return schema;
    }

    /** A flat schema of {@code columns} INT32 columns. */
    static List<SchemaElement> wide(int columns) {
        List<SchemaElement> schema = new ArrayList<>(columns + 1);
        schema.add(new SchemaElement("schema").setNum_children(columns));
        for (int i = 0; i < columns; i++) {
            schema.add(leaf("c" + i));
        }
        return schema;
    }

    static SchemaElement leaf(String name) {
        return new SchemaElement(name).setType(Type.INT32).setRepetition_type(FieldRepetitionType.OPTIONAL);
    }

    static Path write(Path file, List<SchemaElement> schema, List<KeyValue> metadata) throws IOException {
        FileMetaData footer = new FileMetaData(1, schema, 0, List.of());
        if (!metadata.isEmpty()) {
            footer.setKey_value_metadata(metadata);
        }
        ByteArrayOutputStream thrift = new ByteArrayOutputStream();
        Util.writeFileMetaData(footer, thrift);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(magic());
            thrift.writeTo(out);
            out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(thrift.size()).array());
            out.write(magic());
        }
        return file;
    }

    private static byte[] magic() {
        return "PAR1".getBytes(StandardCharsets.US_ASCII);
    }
}
