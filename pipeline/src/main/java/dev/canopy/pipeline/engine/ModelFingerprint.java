package dev.canopy.pipeline.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Identifies a model file's content cheaply: its size and a SHA-256 over its first and last MiB (the GGUF
 * header and metadata, and the last tensors), so a rerun notices a replaced model without reading gigabytes.
 */
final class ModelFingerprint {

    static final int SAMPLE_BYTES = 1 << 20;

    private ModelFingerprint() {}

    /** {@code "<size>:<first 16 hex digits of the digest>"}. */
    static String of(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest(channel, 0, digest);
            digest(channel, Math.max(0, size - SAMPLE_BYTES), digest);
            return size + ":" + HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot fingerprint model '" + file + "': " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Cannot fingerprint model: this JVM has no SHA-256", e);
        }
    }

    private static void digest(FileChannel channel, long from, MessageDigest digest) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(SAMPLE_BYTES, channel.size() - from));
        while (buffer.hasRemaining() && channel.read(buffer, from + buffer.position()) > 0) {
            // read until the sample is full
        }
        buffer.flip();
        digest.update(buffer);
    }
}
