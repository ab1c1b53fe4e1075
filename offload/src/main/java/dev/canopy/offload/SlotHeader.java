package dev.canopy.offload;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The 32-byte header in front of every block in a spill file, little-endian:
 * {@code magic:int, crc32c:int, owner:long, index:int, reserved:int, length:long}. The CRC-32C covers the payload
 * then the key and length, so a block written for another key or cut short fails verification too.
 */
final class SlotHeader {

    static final int BYTES = 32;
    private static final int MAGIC = 0x314B5643; // "CVK1" little-endian

    private SlotHeader() {
    }

    /** The header of {@code key}'s block whose payload is {@code payload} (from its position; not advanced). */
    static ByteBuffer encode(BlockKey key, ByteBuffer payload) {
        ByteBuffer header = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(MAGIC).putInt(checksum(key, payload)).putLong(key.owner()).putInt(key.index()).putInt(0)
                .putLong(payload.remaining());
        return header.flip();
    }

    /**
     * Checks a header read back against the block it should describe.
     *
     * @param header  the {@link #BYTES} header bytes, from position 0
     * @param payload the payload read back (from its position; not advanced)
     * @return empty when the block is intact, else what is wrong
     */
    static Optional<String> verify(BlockKey key, ByteBuffer header, ByteBuffer payload) {
        ByteBuffer h = header.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int magic = h.getInt(0);
        if (magic != MAGIC) {
            return Optional.of("bad magic number 0x" + Integer.toHexString(magic));
        }
        long owner = h.getLong(8);
        int index = h.getInt(16);
        long length = h.getLong(24);
        if (owner != key.owner() || index != key.index() || length != payload.remaining()) {
            return Optional.of("the header names block " + owner + "/" + index + " of " + length + " bytes");
        }
        int stored = h.getInt(4);
        int computed = checksum(key, payload);
        if (stored != computed) {
            return Optional.of("checksum mismatch (stored 0x" + Integer.toHexString(stored) + ", computed 0x"
                    + Integer.toHexString(computed) + ")");
        }
        return Optional.empty();
    }

    private static int checksum(BlockKey key, ByteBuffer payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload.duplicate());
        ByteBuffer tail = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        tail.putLong(key.owner()).putInt(key.index()).putLong(payload.remaining()).flip();
        crc.update(tail);
        return (int) crc.getValue();
    }
}
