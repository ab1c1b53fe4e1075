package dev.canopy.offload;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One spill file with positional reads and writes, safe to use from several threads at once (like
 * {@link java.nio.channels.FileChannel}'s positional methods). The seam through which {@link DiskTier} does all its
 * IO, so that tests can inject full disks, IO errors and damaged bytes.
 */
public interface SpillFile extends Closeable {

    /**
     * Writes bytes of {@code src} from its position at file offset {@code position}, advancing {@code src}.
     *
     * @return bytes written (maybe fewer than remaining)
     */
    int write(ByteBuffer src, long position) throws IOException;

    /**
     * Reads bytes at file offset {@code position} into {@code dst} from its position, advancing {@code dst}.
     *
     * @return bytes read (maybe fewer than remaining), or -1 at the end of the file
     */
    int read(ByteBuffer dst, long position) throws IOException;
}
