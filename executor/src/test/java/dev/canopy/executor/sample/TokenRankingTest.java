package dev.canopy.executor.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TokenRankingTest {

    @Test
    void keepsTheSameBestTokensAsAFullSortWithTiesByLowerId() {
        SplittableRandom random = new SplittableRandom(11);
        TokenRanking ranking = new TokenRanking();
        for (int trial = 0; trial < 100; trial++) {
            int n = 1 + random.nextInt(2000);
            float[] logits = new float[n];
            for (int i = 0; i < n; i++) {
                logits[i] = random.nextInt(50) / 4f - 6f; // many ties, negatives and zeros
            }
            Integer[] expected = new Integer[n];
            Arrays.setAll(expected, i -> i);
            Arrays.sort(expected, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : a - b);

            int k = 1 + random.nextInt(n);
            ranking.reset(n);
            for (int i = 0; i < n; i++) {
                ranking.add(i, logits[i]);
            }
            ranking.sortBest(k);
            int[] best = new int[k];
            Arrays.setAll(best, ranking::tokenId);
            assertThat(best).containsExactly(Arrays.stream(expected, 0, k).mapToInt(Integer::intValue).toArray());
        }
    }

    @Test
    void negativeZeroRanksLikeZero() {
        TokenRanking ranking = new TokenRanking();
        ranking.reset(2);
        ranking.add(0, -0.0f);
        ranking.add(1, 0.0f);
        ranking.sortBest(2);
        assertThat(ranking.tokenId(0)).isZero();
    }
}
