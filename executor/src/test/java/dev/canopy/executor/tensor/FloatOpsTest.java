package dev.canopy.executor.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class FloatOpsTest {

    private static final float TOLERANCE = 2e-6f; // relative to the largest magnitude involved

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 16, 33, 100, 773})
    void dotMatchesTheReference(int n) {
        Random random = new Random(n);
        float[] a = values(random, n + 3);
        float[] b = values(random, n + 5);
        float expected = ScalarFloatOps.dot(a, 3, b, 5, n);
        float bound = TOLERANCE * n * 4 * 4;
        assertThat(FloatOps.dot(a, 3, b, 5, n)).isCloseTo(expected, within(bound));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 16, 33, 100, 773})
    void rmsNormMatchesTheReference(int n) {
        Random random = new Random(n);
        float[] x = values(random, n + 2);
        float[] w = values(random, n);
        float[] expected = new float[n + 1];
        float[] actual = new float[n + 1];
        ScalarFloatOps.rmsNorm(expected, 1, x, 2, w, n, 1e-5f);
        FloatOps.rmsNorm(actual, 1, x, 2, w, n, 1e-5f);
        assertClose(actual, expected, 4 * 4);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 16, 33, 100, 773})
    void softmaxMatchesTheReferenceAndSumsToOne(int n) {
        Random random = new Random(n);
        float[] x = values(random, n + 1);
        for (int i = 0; i < x.length; i++) {
            x[i] *= 8; // a wide range of exponents
        }
        float[] expected = x.clone();
        ScalarFloatOps.softmax(expected, 1, n);
        FloatOps.softmax(x, 1, n);
        assertClose(x, expected, 1);
        double sum = 0;
        for (int i = 1; i <= n; i++) {
            sum += x[i];
        }
        assertThat(sum).isCloseTo(1.0, within(1e-5));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 16, 33, 100, 773})
    void siluMulMatchesTheReference(int n) {
        Random random = new Random(n);
        float[] gate = values(random, n + 1);
        for (int i = 0; i < gate.length; i++) {
            gate[i] *= 30; // into the saturated regions of the sigmoid
        }
        float[] up = values(random, n + 4);
        float[] expected = gate.clone();
        ScalarFloatOps.siluMul(expected, 1, up, 4, n);
        FloatOps.siluMul(gate, 1, up, 4, n);
        assertClose(gate, expected, 120);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 16, 33, 100, 773})
    void addAxpyAndScaleMatchTheReference(int n) {
        Random random = new Random(n);
        float[] src = values(random, n + 2);
        float[] dst = values(random, n + 3);
        float[] expected = dst.clone();
        FloatOps.add(dst, 3, src, 2, n);
        ScalarFloatOps.add(expected, 3, src, 2, n);
        assertThat(dst).containsExactly(expected);
        FloatOps.axpy(0.37f, src, 2, dst, 3, n);
        ScalarFloatOps.axpy(0.37f, src, 2, expected, 3, n);
        assertThat(dst).containsExactly(expected);
        FloatOps.scale(dst, 3, n, -1.5f);
        ScalarFloatOps.scale(expected, 3, n, -1.5f);
        assertThat(dst).containsExactly(expected);
    }

    @Test
    void fastExpIsAccurateAndIdenticalInVectorAndScalarForm() {
        float[] x = new float[4096];
        Random random = new Random(7);
        for (int i = 0; i < x.length; i++) {
            x[i] = (random.nextFloat() * 2 - 1) * 100;
        }
        x[0] = 0;
        x[1] = Float.NaN;
        x[2] = Float.NEGATIVE_INFINITY;
        x[3] = -87.5f;
        float[] vector = x.clone();
        for (int i = 0; i < x.length; i += VectorLanes.F.length()) {
            FastExp.exp(jdk.incubator.vector.FloatVector.fromArray(VectorLanes.F, x, i)).intoArray(vector, i);
        }
        for (int i = 0; i < x.length; i++) {
            float scalar = FastExp.exp(x[i]);
            assertThat(Float.floatToIntBits(vector[i])).as("exp(%s)", x[i]).isEqualTo(Float.floatToIntBits(scalar));
            double exact = Math.exp(x[i]);
            if (Double.isNaN(exact) || exact > Float.MAX_VALUE || exact < 0x1p-126) {
                continue;
            }
            assertThat((double) scalar).as("exp(%s)", x[i]).isCloseTo(exact, within(exact * 3e-7));
        }
        assertThat(FastExp.exp(0f)).isEqualTo(1f);
        assertThat(FastExp.exp(Float.NaN)).isNaN();
        assertThat(FastExp.exp(Float.NEGATIVE_INFINITY)).isZero();
        assertThat(FastExp.exp(100f)).isEqualTo(Float.POSITIVE_INFINITY);
    }

    @Test
    void storedLanesSumToTheSameBitsAsTheVectorTree() {
        int n = VectorLanes.F.length();
        Random random = new Random(11);
        float[] lanes = new float[n];
        for (int round = 0; round < 1000; round++) {
            for (int i = 0; i < n; i++) {
                lanes[i] = (random.nextFloat() - 0.5f) * (1 << random.nextInt(20));
            }
            float tree = VectorLanes.sum(jdk.incubator.vector.FloatVector.fromArray(VectorLanes.F, lanes, 0));
            assertThat(Float.floatToIntBits(VectorLanes.sumStored(lanes, 0, new float[n])))
                    .isEqualTo(Float.floatToIntBits(tree));
        }
    }

    private static float[] values(Random random, int n) {
        return TestTensors.randomValues(random, n);
    }

    private static void assertClose(float[] actual, float[] expected, float magnitude) {
        for (int i = 0; i < expected.length; i++) {
            float tol = TOLERANCE * Math.max(magnitude, Math.abs(expected[i]));
            assertThat(actual[i]).as("element %d of %s", i, Arrays.toString(expected).length())
                    .isCloseTo(expected[i], within(tol));
        }
    }
}
