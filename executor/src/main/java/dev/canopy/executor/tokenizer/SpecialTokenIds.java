package dev.canopy.executor.tokenizer;

import java.util.OptionalInt;
import java.util.stream.IntStream;

/**
 * The ids of a vocabulary's special tokens: beginning of sequence (always present), end of
 * sequence, end of turn and end of message (each optional), and the unknown token (optional).
 */
public record SpecialTokenIds(int bos, OptionalInt eos, OptionalInt eot, OptionalInt eom, OptionalInt unknown) {

    public SpecialTokenIds {
        if (bos < 0) {
            throw new IllegalArgumentException("Cannot define special tokens: bos id " + bos + " is negative");
        }
        if (eos == null || eot == null || eom == null || unknown == null) {
            throw new IllegalArgumentException("Cannot define special tokens: use OptionalInt.empty(), not null");
        }
    }

    /** The ids that end a generation: eos, eot and eom, where present. */
    int[] endOfGeneration() {
        return IntStream.concat(IntStream.concat(eos.stream(), eot.stream()), eom.stream()).distinct().toArray();
    }

    /** Throws unless every id is in [0, vocabSize). */
    void checkWithin(int vocabSize) {
        IntStream all = IntStream.concat(IntStream.of(bos),
                IntStream.concat(IntStream.concat(eos.stream(), eot.stream()), IntStream.concat(eom.stream(), unknown.stream())));
        all.filter(id -> id < 0 || id >= vocabSize).findFirst().ifPresent(id -> {
            throw new IllegalArgumentException("Cannot define special tokens: id " + id + " is outside the vocabulary [0, "
                    + vocabSize + ")");
        });
    }
}
