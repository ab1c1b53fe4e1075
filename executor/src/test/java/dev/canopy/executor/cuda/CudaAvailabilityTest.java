package dev.canopy.executor.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Where CUDA cannot run, the backend says why instead of failing obscurely; where it can, it opens. */
class CudaAvailabilityTest {

    @Test
    void openingTheGpuFailsWithTheReasonOrSucceedsOnAHopperGpu() {
        CudaAvailability a = CudaBackend.availability();
        if (a.available()) {
            try (CudaContext context = CudaContext.open(0)) {
                assertThat(context.info().computeMajor()).isGreaterThanOrEqualTo(CudaAvailability.REQUIRED_COMPUTE_MAJOR);
                assertThat(context.memory().freeBytes()).isPositive();
            }
        } else {
            assertThat(a.unavailableReason()).contains(a.detail());
            assertThatThrownBy(() -> CudaContext.open(0)).isInstanceOf(CudaException.class)
                    .hasMessage("Cannot open cuda:0: " + a.detail());
        }
    }

    @Test
    void aLoadFailureIsReducedToTheLineNamingLibcuda() {
        String jcudaMessage = """
                Error while loading native library "JCudaDriver-12.6.0-linux-x86_64"
                Operating system name: Linux
                ---(start of nested stack traces)---
                Stack trace from the attempt to load the library as a file:
                java.lang.UnsatisfiedLinkError: no JCudaDriver-12.6.0-linux-x86_64 in java.library.path: /usr/lib
                Stack trace from the attempt to load the library as a resource:
                java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver.so: libcuda.so.1: cannot open shared object file
                ---(end of nested stack traces)---
                """;
        assertThat(CudaAvailability.loadFailure(jcudaMessage))
                .isEqualTo("/tmp/libJCudaDriver.so: libcuda.so.1: cannot open shared object file");
        assertThat(CudaAvailability.loadFailure("java.lang.UnsatisfiedLinkError: a\njava.lang.UnsatisfiedLinkError: b"))
                .isEqualTo("b");
        assertThat(CudaAvailability.loadFailure("just one line")).isEqualTo("just one line");
    }
}
