package dev.canopy.prefixtree.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Draws ranks {@code 0..n-1} with probability proportional to {@code 1 / (rank + 1)^exponent}. */
final class ZipfSampler {

    private final double[] cumulative; // (n) running sums of the rank weights, normalized to end at 1

    ZipfSampler(int n, double exponent) {
        if (n < 1 || !(exponent >= 0)) {
            throw new IllegalArgumentException("Cannot create Zipf sampler: n " + n + " must be >= 1 and exponent " + exponent + " >= 0");
        }
        cumulative = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += 1.0 / Math.pow(k + 1, exponent);
            cumulative[k] = sum;
        }
        for (int k = 0; k < n; k++) {
            cumulative[k] /= sum;
        }
    }

    int next(SplittableRandom random) {
        int i = Arrays.binarySearch(cumulative, random.nextDouble());
        int rank = i >= 0 ? i : -i - 1;
        return Math.min(rank, cumulative.length - 1);
    }
}
