package dev.canopy.executor.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class KvBlockLayoutTest {

    private static final KvBlockLayout LAYOUT = new KvBlockLayout(3, 2, 4); // 3 layers, 2 slots, kvDim 4

    /** Per layer (numBlocks * blockSize, kvDim) floats, each float naming its layer, kind, block, slot and column. */
    private static MemorySegment[] cache(int numBlocks, int kind, boolean filled) {
        MemorySegment[] layers = new MemorySegment[LAYOUT.layers()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = Arena.ofAuto().allocate((long) numBlocks * LAYOUT.blockSize() * LAYOUT.kvDim() * Float.BYTES);
            for (int i = 0; filled && i < numBlocks * LAYOUT.blockSize() * LAYOUT.kvDim(); i++) {
                layers[l].setAtIndex(ValueLayout.JAVA_FLOAT, i, l * 10_000 + kind * 1_000 + i);
            }
        }
        return layers;
    }

    @Test
    void aGatheredBlockScattersIntoAnotherCachesBlockUnchanged() {
        MemorySegment[] keys = cache(4, 0, true);
        MemorySegment[] values = cache(4, 1, true);
        MemorySegment payload = Arena.ofAuto().allocate(LAYOUT.blockBytes());
        assertThat(LAYOUT.blockBytes()).isEqualTo(2L * 3 * 2 * 4 * 4);

        LAYOUT.gather(keys, values, 2, payload);
        MemorySegment[] otherKeys = cache(3, 0, false);
        MemorySegment[] otherValues = cache(3, 1, false);
        LAYOUT.scatter(payload, otherKeys, otherValues, 0);

        long slice = LAYOUT.sliceBytes();
        for (int l = 0; l < 3; l++) {
            assertThat(otherKeys[l].asSlice(0, slice).mismatch(keys[l].asSlice(2 * slice, slice))).isEqualTo(-1);
            assertThat(otherValues[l].asSlice(0, slice).mismatch(values[l].asSlice(2 * slice, slice))).isEqualTo(-1);
            assertThat(otherKeys[l].asSlice(slice).mismatch(Arena.ofAuto().allocate(2 * slice))).isEqualTo(-1);
        }
        // payload order: layer 0 keys, layer 0 values, layer 1 keys, ...
        assertThat(payload.getAtIndex(ValueLayout.JAVA_FLOAT, 8)).isEqualTo(1_000 + 16);
        assertThat(payload.getAtIndex(ValueLayout.JAVA_FLOAT, 16)).isEqualTo(10_000 + 16);
    }

    @Test
    void buffersMustMatchTheLayout() {
        assertThatThrownBy(() -> LAYOUT.gather(cache(1, 0, false), cache(1, 1, false), 0,
                Arena.ofAuto().allocate(8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot move a KV block: expected 3 key and value buffers and a payload of 192 bytes, got "
                        + "3, 3 and 8 bytes");
        assertThatThrownBy(() -> new KvBlockLayout(0, 1, 1))
                .hasMessage("Cannot describe a KV block: layers, blockSize and kvDim must be positive, got 0, 1, 1");
    }
}
