package dev.canopy.pipeline.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The machine's model cache under a size cap: copies left by earlier processes go least recently used first,
 * never one a process still holds, and only as many as the new copy needs.
 */
class ModelCacheEvictionTest {

    @TempDir
    Path tmp;

    @Test
    void theLeastRecentlyUsedCopiesNoProcessHoldsAreEvictedUntilTheNewCopyFits() throws IOException {
        Path root = tmp.resolve("cache");
        Path busy = earlierCopy(root, "0busy", Duration.ofHours(4)); // the oldest, but another process maps it
        Path old = earlierCopy(root, "1old", Duration.ofHours(3));
        Path recent = earlierCopy(root, "2recent", Duration.ofHours(2));
        RemoteModel model = RemoteModel.resolve(localModel("new.gguf", 1000).toUri().toString(), new Configuration(),
                null);
        try (FileChannel channel = FileChannel.open(root.resolve("0busy.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileLock otherProcess = channel.lock(0, Long.MAX_VALUE, true)) {

            Path copy = RemoteModelCache.localCopy(model, root, 3000);

            assertThat(copy).hasSize(1000);
            assertThat(busy).as("in use, so kept although the oldest").exists();
            assertThat(old).as("least recently used and free: evicted").doesNotExist();
            assertThat(recent).as("3000 bytes fit once one copy went").exists();
        }
        try (var left = Files.list(root)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no partial or evicting folders left")
                    .noneMatch(n -> n.endsWith(".part") || n.endsWith(".evicting"));
        }
    }

    @Test
    void usingACopyMakesItTheMostRecentlyUsed() throws IOException {
        Path root = tmp.resolve("cache");
        RemoteModel model = RemoteModel.resolve(localModel("used.gguf", 10).toUri().toString(), new Configuration(),
                null);
        Path copy = RemoteModelCache.localCopy(model, root, 0);
        FileTime longAgo = FileTime.from(Instant.now().minus(Duration.ofDays(3)));
        Files.setLastModifiedTime(copy.getParent(), longAgo);

        assertThat(RemoteModelCache.localCopy(model, root, 0)).isEqualTo(copy);
        assertThat(Files.getLastModifiedTime(copy.getParent())).isGreaterThan(longAgo);
    }

    @Test
    void aModelLargerThanTheCapIsStillCopied() throws IOException {
        Path root = tmp.resolve("cache");
        RemoteModel model = RemoteModel.resolve(localModel("big.gguf", 500).toUri().toString(), new Configuration(),
                null);

        assertThat(RemoteModelCache.localCopy(model, root, 100)).hasSize(500);
    }

    /** A copy an earlier process left: {@code <root>/<fingerprint>/model.gguf} of 1000 bytes, last used {@code ago}. */
    private static Path earlierCopy(Path root, String fingerprint, Duration ago) throws IOException {
        Path folder = Files.createDirectories(root.resolve(fingerprint));
        Files.write(folder.resolve("model.gguf"), new byte[1000]);
        Files.setLastModifiedTime(folder, FileTime.from(Instant.now().minus(ago)));
        return folder;
    }

    private Path localModel(String name, int bytes) throws IOException {
        Path file = Files.createDirectories(tmp.resolve("remote")).resolve(name);
        Files.write(file, new byte[bytes]);
        return file;
    }
}
