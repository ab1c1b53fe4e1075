package dev.canopy.executor.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.tensor.GgmlType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The GEMV lab's check on a small ragged shape: main's kernel against the CPU, every variant against main's. */
@Tag("gpu")
class GemvLabGpuTest {

    /** Rows not a multiple of any block's outputs; 33 blocks a row, so lanes own unequal numbers of chunks. */
    private static final GemvShape SMALL = new GemvShape("small", 100, 1056, 0);

    private static CudaContext context;
    private static GemvBench bench;

    @BeforeAll
    static void open() {
        if (CudaBackend.isAvailable()) {
            context = CudaContext.open(0);
            bench = new GemvBench(context);
        }
    }

    @BeforeEach
    void needsGpu() {
        Gpu.assume();
    }

    @AfterAll
    static void close() {
        if (context != null) {
            bench.close();
            context.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0"})
    void everyVariantAgreesWithMainsKernelWhichAgreesWithTheCpu(GgmlType type) {
        try (GemvBench.Workspace w = bench.load(SMALL, 2, 3)) {
            float[] baseline = bench.outputs(GemvVariant.baseline(type), w);
            assertThat(bench.cpuErrorRatio(type, w, baseline, SMALL.rows())).isLessThanOrEqualTo(1);
            for (GemvVariant v : GemvVariant.all()) {
                if (v.type() != type || v.kind() == GemvVariant.Kind.BASELINE) {
                    continue;
                }
                float[] y = bench.outputs(v, w);
                GemvAgreement agreement = GemvAgreement.of(baseline, y);
                assertThat(agreement.nonFinite()).as("outputs %s left unwritten", v.kernel()).isZero();
                if (v.sameBitsAsBaseline()) {
                    assertThat(agreement.sameBits()).as("%s has main's bits: %s", v.kernel(), agreement.describe())
                            .isTrue();
                } else if (v.kind() == GemvVariant.Kind.DP4A) {
                    // x rounded to int8: about 1/254 of each block's largest value, averaged over the row
                    assertThat(agreement.relativeError()).as("error of %s", v.kernel()).isLessThan(2e-2);
                } else { // fp32 in another order
                    assertThat(bench.cpuErrorRatio(type, w, y, SMALL.rows())).as("error of %s", v.kernel())
                            .isLessThanOrEqualTo(1);
                }
            }
        }
    }

    @Test
    void variantsAndTheLaunchFloorAreTimedAndTheirResourcesRead() {
        try (GemvBench.Workspace w = bench.load(SMALL, 2, 3)) {
            GemvVariant staged = GemvVariant.all().get(2);
            assertThat(bench.microsPerCall(staged, w, 10, 3)).isPositive();
            assertThat(bench.microsPerCall(GemvVariant.dp4a(GgmlType.Q4_0, false, 4, 2, ""), w, 10, 3)).isPositive();
            assertThat(bench.timeGraph(10, 3, i -> bench.enqueueFloor("gemv_empty", w))).isPositive();
            assertThat(bench.timeStream(10, 3, i -> bench.enqueueFloor("gemv_tiny", w))).isPositive();
            GemvLabReport.KernelStats stats = bench.stats(staged, SMALL.cols());
            assertThat(stats.registers()).isBetween(16, 255);
            assertThat(stats.localBytes()).isZero();
            assertThat(stats.warpsPerSm()).isPositive();
        }
    }
}
