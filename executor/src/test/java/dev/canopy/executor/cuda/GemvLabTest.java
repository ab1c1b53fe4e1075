package dev.canopy.executor.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import dev.canopy.executor.tensor.GgmlType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The GEMV lab's CPU-side pieces: shapes, variants, peak bandwidth, comparisons, the report, the lab's fatbin. */
class GemvLabTest {

    private static final long L2_H100 = 50L << 20;

    @Test
    void theShapesAreLlama7bsMatricesWithTheirCallsPerToken() {
        assertThat(GemvShape.LLAMA_7B).extracting(GemvShape::rows, GemvShape::cols, GemvShape::perToken)
                .containsExactly(tuple(4096, 4096, 32), tuple(12288, 4096, 32), tuple(11008, 4096, 64),
                        tuple(4096, 11008, 32), tuple(32000, 4096, 1));
        long decodeBytes = GemvShape.LLAMA_7B.stream().mapToLong(s -> s.perToken() * s.weightBytes(GgmlType.Q8_0)).sum();
        assertThat(decodeBytes).isCloseTo(7_000_000_000L, within(100_000_000L)); // a 7B Q8_0 model's decode reads
    }

    @Test
    void aShapeCountsQuantsAndScalesAndCyclesEnoughCopiesToMissTheL2() {
        GemvShape attention = GemvShape.LLAMA_7B.get(0);
        assertThat(attention.weightBytes(GgmlType.Q8_0)).isEqualTo(4096L * 4096 + 4096L * 128 * 2);
        assertThat(attention.weightBytes(GgmlType.Q4_0)).isEqualTo(4096L * 4096 / 2 + 4096L * 128 * 2);
        assertThat(attention.scalesOffset()).isEqualTo(4096L * 4096);
        assertThat(attention.copiesBeyondL2(L2_H100)).isEqualTo(12); // 12 x 17.8 MB >= 4 x 50 MiB
        assertThat(GemvShape.LLAMA_7B.get(4).copiesBeyondL2(L2_H100)).isEqualTo(2);
        GemvShape odd = new GemvShape("odd", 3, 96, 0);
        assertThat(odd.scalesOffset()).isEqualTo(512); // 288 quant bytes rounded up to 256s
        assertThat(odd.imageBytes()).isEqualTo(768);
    }

    @Test
    void aShapeNeedsWholeBlocksAndALabFormat() {
        assertThatThrownBy(() -> new GemvShape("bad", 8, 100, 1)).hasMessage("Cannot make GEMV shape bad: 8 x 100, 1 "
                + "per token; rows and cols must be positive, cols a multiple of 32, per token at least 0");
        assertThatThrownBy(() -> GemvShape.LLAMA_7B.get(0).weightBytes(GgmlType.F16))
                .hasMessage("Cannot size a GEMV lab matrix of type F16: the lab has Q8_0 and Q4_0");
    }

    @Test
    void variantsStartWithTheirBaselineAndSayWhetherTheyKeepItsBits() {
        List<GemvVariant> all = GemvVariant.all();
        assertThat(all.get(0)).isEqualTo(GemvVariant.baseline(GgmlType.Q8_0));
        assertThat(all.stream().filter(v -> v.type() == GgmlType.Q4_0).findFirst()).contains(
                GemvVariant.baseline(GgmlType.Q4_0));
        assertThat(all).extracting(GemvVariant::kernel).doesNotHaveDuplicates()
                .contains("matmul_q8_0_c16_r1", "gemv_q8_0_s4_r1", "gemv_q8_0_s8_r2_xs", "gemv_q8_0_s4_r1_k4",
                        "gemv_q8_0_s8_r1_w16", "gemv_q8_0_b32_dp4a_s4_r2", "gemv_q4_0_dp4a_s4_r2");
        assertThat(all).filteredOn(GemvVariant::sameBitsAsBaseline).extracting(GemvVariant::kernel)
                .allMatch(k -> !k.contains("_k") && !k.contains("b32") && !k.contains("dp4a"));
        GemvVariant split = GemvVariant.staged(GgmlType.Q8_0, 4, 2, 2, 8, Set.of(), "");
        assertThat(split.outputsPerBlock()).isEqualTo(8);
        assertThat(split.sameBitsAsBaseline()).isFalse();
        GemvVariant shared = GemvVariant.staged(GgmlType.Q4_0, 4, 2, 1, 8, Set.of(GemvVariant.Option.X_SHARED), "");
        assertThat(shared.kernel()).isEqualTo("gemv_q4_0_s4_r2_xs");
        assertThat(shared.sharedBytes(11008)).isEqualTo(44032);
        assertThat(shared.sameBitsAsBaseline()).isTrue();
        assertThatThrownBy(() -> GemvVariant.staged(GgmlType.Q8_0, 4, 1, 3, 8, Set.of(), "")).hasMessage(
                "Cannot make GEMV variant gemv_q8_0_s4_r1_k3: stages 4, rows per warp 1, warps per row 3, warps 8 "
                        + "must be positive with warps a multiple of warps per row");
    }

    @Test
    void peakBandwidthComesFromTheMemoryClockAndBusElseTheDatasheet() {
        MemoryPeak h100 = MemoryPeak.of(2_619_000, 5120, "NVIDIA H100 80GB HBM3");
        assertThat(h100.bytesPerSecond()).isEqualTo(3.352e12, within(1e9));
        assertThat(h100.describe()).isEqualTo(
                "3.35 TB/s (memory clock 2619 MHz x 5120-bit bus x 2 transfers a clock (cuDeviceGetAttribute))");
        assertThat(h100.percentOf(3_352_320_000L, 1000)).isEqualTo(100, within(1e-6));
        assertThat(MemoryPeak.of(0, 0, "NVIDIA H100 80GB HBM3").bytesPerSecond()).isEqualTo(3.35e12);
        assertThat(MemoryPeak.of(0, 0, "NVIDIA H200").source()).startsWith("H200 datasheet; the driver reports");
        assertThat(MemoryPeak.of(0, 6144, "NVIDIA H100 PCIe").bytesPerSecond()).isNaN();
    }

    @Test
    void agreementIsSameBitsOrTheLargestErrorRelativeToTheLargestOutput() {
        float[] base = {1f, -4f, 2f};
        assertThat(GemvAgreement.of(base, base.clone()).describe()).isEqualTo("same bits");
        GemvAgreement off = GemvAgreement.of(base, new float[] {1f, -4.002f, Float.NaN});
        assertThat(off.sameBits()).isFalse();
        assertThat(off.nonFinite()).isEqualTo(1);
        assertThat(off.relativeError()).isEqualTo(0.0005, within(1e-6));
        assertThat(off.describe()).isEqualTo("1 outputs NaN or infinite; others 5.0e-04");
        assertThat(GemvAgreement.of(base, new float[] {-0f, 0f, 0f}).describe()).isEqualTo("1.0e+00");
        assertThatThrownBy(() -> GemvAgreement.of(base, new float[2]))
                .hasMessage("Cannot compare GEMV outputs: 2 outputs against 3 of the baseline");
    }

    @Test
    void theReportHasATablePerShapeTheFastestAndTheTokenEstimate() {
        MemoryPeak peak = MemoryPeak.of(2_619_000, 5120, "H100");
        GemvLabReport report = new GemvLabReport("cuda:0 test", peak, L2_H100, 50, 5);
        report.floor(List.of(new GemvLabReport.Floor("gemv_empty", "graph of 200", 1.5)));
        GemvShape shape = GemvShape.LLAMA_7B.get(0);
        long bytes = shape.weightBytes(GgmlType.Q8_0);
        GemvLabReport.KernelStats stats = new GemvLabReport.KernelStats(32, 0, 64);
        GemvVariant base = GemvVariant.baseline(GgmlType.Q8_0);
        GemvVariant staged = GemvVariant.all().get(2);
        GemvVariant dp4a = GemvVariant.dp4a(GgmlType.Q8_0, false, 4, 1, "int8");
        report.shape(shape, GgmlType.Q8_0, List.of(new GemvLabReport.Row(base, 20, bytes, stats, true, "baseline"),
                new GemvLabReport.Row(staged, 10, bytes, stats, true, "same bits"),
                new GemvLabReport.Row(dp4a, 8, bytes, stats, false, "3.0e-03")));
        String text = report.text(1);
        assertThat(text).contains("# GEMV lab: batch-1 y = W x on cuda:0 test", "L2 cache 50.0 MiB",
                "| gemv_empty | graph of 200 | 1.50 |", "about 290 kernels: at 1.50 µs each, 435 µs",
                "## Q8_0 attention output 4096 x 4096: 17.8 MB",
                "| gemv_q8_0_s4_r1 | 10.00 | 1783 | 53.2% | 32 | 0 | 64 | same bits | branch gemv-prefetch",
                "Fastest: gemv_q8_0_dp4a_s4_r1 8.00 µs (66.5% of peak); fastest with the baseline's bits: "
                        + "gemv_q8_0_s4_r1 10.00 µs (53.2% of peak).",
                "| gemv_q8_0_dp4a_s4_r1 | 256 | 3906 |\n| gemv_q8_0_s4_r1 | 320 | 3125 |\n"
                        + "| matmul_q8_0_c16_r1 | 640 | 1563 |");
        assertThat(report.text(2)).doesNotContain("| gemv_q8_0_s4_r1 | 320");
    }

    @Test
    void theLabFatbinHoldsSm90CodeForEveryKernelTheLabLaunches() {
        Assumptions.assumeTrue(CudaModule.class.getResource(GemvBench.LAB_FATBIN) != null,
                "the lab's kernels were not built (nvcc was not found at build time)");
        String lab = new String(CudaModule.fatbin(GemvBench.LAB_FATBIN), StandardCharsets.ISO_8859_1);
        String main = new String(CudaModule.fatbin(), StandardCharsets.ISO_8859_1);
        for (GemvVariant v : GemvVariant.all()) {
            String fatbin = v.kind() == GemvVariant.Kind.BASELINE ? main : lab;
            assertThat(fatbin).as("machine code of kernel %s", v.kernel()).contains(".text." + v.kernel() + "\0");
        }
        for (String kernel : GemvVariant.helperKernels()) {
            assertThat(lab).as("machine code of kernel %s", kernel).contains(".text." + kernel + "\0");
        }
        assertThat(lab).as("sm_90 target").contains("sm_90");
    }
}
