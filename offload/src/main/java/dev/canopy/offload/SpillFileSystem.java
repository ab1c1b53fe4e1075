package dev.canopy.offload;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Creates the {@link SpillFile}s of a {@link DiskTier}. */
@FunctionalInterface
public interface SpillFileSystem {

    /** Real files through {@link FileChannel}. */
    SpillFileSystem FILES = SpillFileSystem::openChannel;

    /**
     * Creates a new, empty spill file at {@code path}, open for reading and writing.
     *
     * @throws IOException when the file exists or cannot be created
     */
    SpillFile create(Path path) throws IOException;

    private static SpillFile openChannel(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        return new SpillFile() {
            @Override
            public int write(ByteBuffer src, long position) throws IOException {
                return channel.write(src, position);
            }

            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                return channel.read(dst, position);
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }
}
