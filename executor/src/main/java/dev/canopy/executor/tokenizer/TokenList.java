package dev.canopy.executor.tokenizer;

import java.util.Arrays;

/** A growable list of token ids, used while encoding. */
final class TokenList {

    private int[] ids = new int[64]; // (capacity) ids[0..size) are the tokens so far
    private int size;

    void add(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
    }

    void addAll(int[] more) {
        for (int id : more) {
            add(id);
        }
    }

    int[] toArray() {
        return Arrays.copyOf(ids, size);
    }
}
