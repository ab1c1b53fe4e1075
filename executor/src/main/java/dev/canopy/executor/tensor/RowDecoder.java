package dev.canopy.executor.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Decodes one weight row to floats with the Vector API (the fast twin of {@link Dequant#row}, which it
 * must match exactly: decoding is exact for every type, so both give identical values).
 */
final class RowDecoder {

    private static final boolean WIDE = FloatVector.SPECIES_PREFERRED.length() >= 16;
    /** Float, int, short and byte species with the same lane count (16 or 8), for lane-wise widening. */
    private static final VectorSpecies<Float> DF = WIDE ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> DI = WIDE ? IntVector.SPECIES_512 : IntVector.SPECIES_256;
    private static final VectorSpecies<Short> DS = WIDE ? ShortVector.SPECIES_256 : ShortVector.SPECIES_128;
    private static final VectorSpecies<Byte> DB = WIDE ? ByteVector.SPECIES_128 : ByteVector.SPECIES_64;
    private static final int N = DF.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private RowDecoder() {}

    static void decode(Tensor t, int row, float[] out, int at) {
        MemorySegment seg = t.data();
        long base = row * t.rowBytes();
        int cols = t.cols();
        switch (t.type()) {
            case F32 -> MemorySegment.copy(seg, Dequant.FLOAT_LE, base, out, at, cols);
            case F16 -> {
                for (int c = 0; c < cols; c++) {
                    out[at + c] = Float.float16ToFloat(seg.get(Dequant.SHORT_LE, base + 2L * c));
                }
            }
            case BF16 -> decodeBf16(seg, base, cols, out, at);
            case Q8_0 -> decodeQ8(seg, base, cols / 32, out, at);
            case Q4_0 -> decodeQ4(seg, base, cols / 32, out, at);
            case Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K -> QuantRowDecoder.decode(t, row, out, at);
            case MXFP4 -> decodeMxfp4(seg, base, cols / Mxfp4.QK, out, at);
            default -> Dequant.row(t, row, out, at);
        }
    }

    private static void decodeBf16(MemorySegment seg, long base, int cols, float[] out, int at) {
        int c = 0;
        for (int bound = cols - cols % N; c < bound; c += N) {
            ShortVector s = ShortVector.fromMemorySegment(DS, seg, base + 2L * c, LE);
            IntVector bits = ((IntVector) s.convertShape(VectorOperators.S2I, DI, 0)).lanewise(VectorOperators.LSHL, 16);
            bits.reinterpretAsFloats().intoArray(out, at + c);
        }
        for (; c < cols; c++) {
            out[at + c] = Dequant.bf16ToFloat(seg.get(Dequant.SHORT_LE, base + 2L * c));
        }
    }

    private static void decodeQ8(MemorySegment seg, long base, int blocks, float[] out, int at) {
        for (int b = 0; b < blocks; b++) {
            long blk = base + 34L * b;
            float d = Float.float16ToFloat(seg.get(Dequant.SHORT_LE, blk));
            for (int j = 0; j < 32; j += N) {
                ByteVector q = ByteVector.fromMemorySegment(DB, seg, blk + 2 + j, LE);
                ((FloatVector) q.convertShape(VectorOperators.B2F, DF, 0)).mul(d).intoArray(out, at + 32 * b + j);
            }
        }
    }

    /** MXFP4: each nibble looks up its doubled E2M1 value (one lane shuffle), times the block's 2^(e-128). */
    private static void decodeMxfp4(MemorySegment seg, long base, int blocks, float[] out, int at) {
        ByteVector table = ByteVector.fromArray(ByteVector.SPECIES_128, Mxfp4.KVALUES, 0);
        for (int b = 0; b < blocks; b++) {
            long blk = base + (long) Mxfp4.BLOCK_BYTES * b;
            float d = Mxfp4.scale(seg.get(ValueLayout.JAVA_BYTE, blk));
            ByteVector packed = ByteVector.fromMemorySegment(ByteVector.SPECIES_128, seg, blk + 1, LE);
            ByteVector lo = packed.and((byte) 0x0F).selectFrom(table);
            ByteVector hi = packed.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F).selectFrom(table);
            for (int part = 0; part < 16 / N; part++) {
                ((FloatVector) lo.convertShape(VectorOperators.B2F, DF, part)).mul(d).intoArray(out, at + 32 * b + N * part);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, DF, part)).mul(d)
                        .intoArray(out, at + 32 * b + 16 + N * part);
            }
        }
    }

    private static void decodeQ4(MemorySegment seg, long base, int blocks, float[] out, int at) {
        for (int b = 0; b < blocks; b++) {
            long blk = base + 18L * b;
            float d = Float.float16ToFloat(seg.get(Dequant.SHORT_LE, blk));
            for (int j = 0; j < 16; j += N) {
                ByteVector packed = ByteVector.fromMemorySegment(DB, seg, blk + 2 + j, LE);
                ByteVector lo = packed.and((byte) 0x0F).sub((byte) 8);
                ByteVector hi = packed.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F).sub((byte) 8);
                ((FloatVector) lo.convertShape(VectorOperators.B2F, DF, 0)).mul(d).intoArray(out, at + 32 * b + j);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, DF, 0)).mul(d).intoArray(out, at + 32 * b + 16 + j);
            }
        }
    }
}
