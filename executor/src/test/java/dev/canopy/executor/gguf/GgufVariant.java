package dev.canopy.executor.gguf;

import java.nio.file.Path;
import java.util.Map;

/**
 * A copy of a real model file with some metadata entries replaced or added, and every tensor kept:
 * the hostile-metadata tests build their inputs with it.
 */
public final class GgufVariant {

    private GgufVariant() {}

    /** {@code base} written to {@code out} with each entry of {@code entries} set (replacing the file's own). */
    public static Path write(Path base, Path out, Map<String, GgufMetadata.Entry> entries) {
        try (GgufFile file = GgufFile.open(base)) {
            GgufWriter w = new GgufWriter(out);
            file.metadata().entries().forEach((key, entry) -> {
                if (!entries.containsKey(key)) {
                    w.put(key, entry.type(), entry.value());
                }
            });
            entries.forEach((key, entry) -> w.put(key, entry.type(), entry.value()));
            file.tensorInfos().keySet().forEach(name -> w.addTensor(file.tensor(name)));
            w.write();
        }
        return out;
    }

    /** A UINT32 entry (values up to 2^32 - 1, given as a long). */
    public static GgufMetadata.Entry uint32(long value) {
        return new GgufMetadata.Entry(GgufValueType.UINT32, (int) value);
    }
}
