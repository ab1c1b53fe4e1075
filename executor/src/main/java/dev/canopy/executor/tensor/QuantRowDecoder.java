package dev.canopy.executor.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Decodes rows of Q4_1, Q5_0, Q5_1, Q4_K, Q5_K and Q6_K to floats with the Vector API: the fast twin
 * of {@link LegacyQuants#decode} and {@link KQuants#decode}. Every value is computed by the same float
 * operations as there (an exact integer converted to float, then the same multiplications and
 * subtractions in the same order), so both give identical bits.
 */
final class QuantRowDecoder {

    /** Byte, int and float species with the same lane count (16 where 512-bit vectors are fast, else 8). */
    private static final int LANES = FloatVector.SPECIES_PREFERRED.length() >= 16 ? 16 : 8;
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * LANES));
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, VectorShape.forBitSize(32 * LANES));
    private static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(32 * LANES));
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int[] BIT_INDEX = java.util.stream.IntStream.range(0, 32).toArray(); // (32) lane j reads bit j

    private QuantRowDecoder() {}

    /** Decodes row {@code row} of {@code t} (Q4_1, Q5_0, Q5_1, Q4_K, Q5_K or Q6_K) to {@code out[at..]}. */
    static void decode(Tensor t, int row, float[] out, int at) {
        MemorySegment seg = t.data();
        long base = row * t.rowBytes();
        int blocks = t.cols() / t.type().blockSize();
        long size = t.type().bytesPerBlock();
        for (int b = 0; b < blocks; b++) {
            long blk = base + size * b;
            int o = at + t.type().blockSize() * b;
            switch (t.type()) {
                case Q4_1 -> q4_1(seg, blk, out, o);
                case Q5_0 -> q5(seg, blk + 2, blk + 6, half(seg, blk), 0f, -16, out, o);
                case Q5_1 -> q5(seg, blk + 4, blk + 8, half(seg, blk), half(seg, blk + 2), 0, out, o);
                case Q4_K -> q4k(seg, blk, out, o);
                case Q5_K -> q5k(seg, blk, out, o);
                case Q6_K -> q6k(seg, blk, out, o);
                default -> throw new IllegalArgumentException("Cannot decode " + t + " here: type " + t.type());
            }
        }
    }

    private static void q4_1(MemorySegment seg, long blk, float[] out, int o) {
        float d = half(seg, blk);
        float m = half(seg, blk + 2);
        for (int j = 0; j < 16; j += LANES) {
            ByteVector packed = ByteVector.fromMemorySegment(B, seg, blk + 4 + j, LE);
            toFloat(packed.and((byte) 0x0F)).mul(d).add(m).intoArray(out, o + j);
            toFloat(packed.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F)).mul(d).add(m).intoArray(out, o + 16 + j);
        }
    }

    /** Q5_0 ({@code (q + offset)·d}, m = 0) and Q5_1 ({@code q·d + m}, offset 0). */
    private static void q5(MemorySegment seg, long qhAt, long qsAt, float d, float m, int offset, float[] out, int o) {
        IntVector qh = IntVector.broadcast(I, seg.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE), qhAt));
        for (int j = 0; j < 16; j += LANES) {
            ByteVector packed = ByteVector.fromMemorySegment(B, seg, qsAt + j, LE);
            IntVector lo = toInt(packed.and((byte) 0x0F)).or(fifthBits(qh, j)).add(offset);
            IntVector hi = toInt(packed.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F)).or(fifthBits(qh, j + 16)).add(offset);
            FloatVector loF = (FloatVector) lo.convert(VectorOperators.I2F, 0);
            FloatVector hiF = (FloatVector) hi.convert(VectorOperators.I2F, 0);
            if (offset != 0) {
                loF.mul(d).intoArray(out, o + j);
                hiF.mul(d).intoArray(out, o + 16 + j);
            } else {
                loF.mul(d).add(m).intoArray(out, o + j);
                hiF.mul(d).add(m).intoArray(out, o + 16 + j);
            }
        }
    }

    /** Lane i: bit {@code from + i} of {@code qh}, as 16 or 0. */
    private static IntVector fifthBits(IntVector qh, int from) {
        IntVector index = IntVector.fromArray(I, BIT_INDEX, from);
        return qh.lanewise(VectorOperators.LSHR, index).and(1).lanewise(VectorOperators.LSHL, 4);
    }

    private static void q4k(MemorySegment seg, long blk, float[] out, int o) {
        float d = half(seg, blk);
        float dmin = half(seg, blk + 2);
        for (int c = 0; c < 4; c++) {
            float d1 = d * KQuants.scale(seg, blk + KQuants.Q4K_SCALES, 2 * c);
            float m1 = dmin * KQuants.min(seg, blk + KQuants.Q4K_SCALES, 2 * c);
            float d2 = d * KQuants.scale(seg, blk + KQuants.Q4K_SCALES, 2 * c + 1);
            float m2 = dmin * KQuants.min(seg, blk + KQuants.Q4K_SCALES, 2 * c + 1);
            for (int l = 0; l < 32; l += LANES) {
                ByteVector q = ByteVector.fromMemorySegment(B, seg, blk + KQuants.Q4K_QS + 32 * c + l, LE);
                toFloat(q.and((byte) 0x0F)).mul(d1).sub(m1).intoArray(out, o + 64 * c + l);
                toFloat(q.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F)).mul(d2).sub(m2).intoArray(out, o + 64 * c + 32 + l);
            }
        }
    }

    private static void q5k(MemorySegment seg, long blk, float[] out, int o) {
        float d = half(seg, blk);
        float dmin = half(seg, blk + 2);
        for (int c = 0; c < 4; c++) {
            float d1 = d * KQuants.scale(seg, blk + KQuants.Q5K_SCALES, 2 * c);
            float m1 = dmin * KQuants.min(seg, blk + KQuants.Q5K_SCALES, 2 * c);
            float d2 = d * KQuants.scale(seg, blk + KQuants.Q5K_SCALES, 2 * c + 1);
            float m2 = dmin * KQuants.min(seg, blk + KQuants.Q5K_SCALES, 2 * c + 1);
            for (int l = 0; l < 32; l += LANES) {
                ByteVector q = ByteVector.fromMemorySegment(B, seg, blk + KQuants.Q5K_QS + 32 * c + l, LE);
                ByteVector h = ByteVector.fromMemorySegment(B, seg, blk + KQuants.Q5K_QH + l, LE);
                ByteVector lo = q.and((byte) 0x0F).or(bitAt(h, 2 * c, 1).lanewise(VectorOperators.LSHL, 4));
                ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F)
                        .or(bitAt(h, 2 * c + 1, 1).lanewise(VectorOperators.LSHL, 4));
                toFloat(lo).mul(d1).sub(m1).intoArray(out, o + 64 * c + l);
                toFloat(hi).mul(d2).sub(m2).intoArray(out, o + 64 * c + 32 + l);
            }
        }
    }

    private static void q6k(MemorySegment seg, long blk, float[] out, int o) {
        float d = half(seg, blk + KQuants.Q6K_D);
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l += LANES) {
                ByteVector qh = ByteVector.fromMemorySegment(B, seg, blk + KQuants.Q6K_QH + 32 * h + l, LE);
                ByteVector ql0 = ByteVector.fromMemorySegment(B, seg, blk + KQuants.Q6K_QL + 64 * h + l, LE);
                ByteVector ql1 = ByteVector.fromMemorySegment(B, seg, blk + KQuants.Q6K_QL + 64 * h + 32 + l, LE);
                for (int k = 0; k < 4; k++) {
                    ByteVector ql = (k & 1) == 0 ? ql0 : ql1;
                    ByteVector low = k < 2 ? ql.and((byte) 0x0F) : bitAt(ql, 4, 0x0F);
                    ByteVector q = low.or(bitAt(qh, 2 * k, 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    byte sc = seg.get(ValueLayout.JAVA_BYTE, blk + KQuants.Q6K_SCALES + 8 * h + l / 16 + 2 * k);
                    toFloat(q).mul(d * sc).intoArray(out, o + 128 * h + 32 * k + l);
                }
            }
        }
    }

    /** {@code (v >>> shift) & mask} lane-wise on bytes. */
    private static ByteVector bitAt(ByteVector v, int shift, int mask) {
        return v.lanewise(VectorOperators.LSHR, shift).and((byte) mask);
    }

    private static FloatVector toFloat(ByteVector v) {
        return (FloatVector) v.convertShape(VectorOperators.B2F, F, 0);
    }

    private static IntVector toInt(ByteVector v) {
        return (IntVector) v.convertShape(VectorOperators.B2I, I, 0);
    }

    private static float half(MemorySegment seg, long at) {
        return Float.float16ToFloat(seg.get(Dequant.SHORT_LE, at));
    }
}
