package dev.canopy.executor.hf;

import dev.canopy.executor.model.QuantScheme;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where a checkpoint directory opens as a model: the GGUF {@link HfToGguf} writes from it, kept in
 * a cache directory under a fingerprint of the checkpoint's files (names, sizes, modification
 * times), so a checkpoint is converted once and reopened by every later load until it changes.
 * The tensor bytes are streamed from the mapped shards into the GGUF, which is then mapped.
 */
public final class HfCheckpointCache {

    private HfCheckpointCache() {}

    /** The GGUF of checkpoint {@code dir} in {@code cacheDir}, converting it first when it is not there. */
    public static Path gguf(Path dir, Path cacheDir) {
        return gguf(dir, cacheDir, Optional.empty());
    }

    /**
     * The GGUF of checkpoint {@code dir} quantized with {@code scheme} (as is when empty) in {@code cacheDir},
     * converting it first when it is not there; each scheme is cached apart ({@code <fingerprint>-Q8_0.gguf}).
     */
    public static Path gguf(Path dir, Path cacheDir, Optional<QuantScheme> scheme) {
        Path target = cacheDir.resolve(fingerprint(dir) + scheme.map(s -> "-" + s.name()).orElse("") + ".gguf");
        if (Files.isRegularFile(target)) {
            return target;
        }
        try {
            Files.createDirectories(cacheDir);
            Path partial = Files.createTempFile(cacheDir, "converting-", ".gguf");
            HfToGguf.convert(dir, partial, scheme);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot convert checkpoint " + dir + " into " + cacheDir + ": " + e.getMessage(), e);
        }
    }

    /** The default cache: {@code $CANOPY_HF_CACHE}, else {@code canopy-hf} in the temporary directory. */
    public static Path defaultCacheDir() {
        String env = System.getenv("CANOPY_HF_CACHE");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("java.io.tmpdir"), "canopy-hf");
    }

    /** SHA-256 over each regular file's name, size and modification time, in name order. */
    static String fingerprint(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            List<Path> sorted = files.filter(Files::isRegularFile).sorted().toList();
            for (Path f : sorted) {
                String entry = f.getFileName() + "\0" + Files.size(f) + "\0" + Files.getLastModifiedTime(f).toMillis() + "\n";
                sha.update(entry.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 32);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list checkpoint " + dir + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
