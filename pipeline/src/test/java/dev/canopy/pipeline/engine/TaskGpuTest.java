package dev.canopy.pipeline.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.OptionalInt;

import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

class TaskGpuTest {

    @Test
    void theFirstAssignedGpuAddressIsTheCudaOrdinal() {
        assertThat(TaskGpu.ordinal(Map.of("gpu", new ResourceInformation("gpu", new String[] {"3", "4"}))))
                .isEqualTo(OptionalInt.of(3));
    }

    @Test
    void noGpuResourceMeansNoGpu() {
        assertThat(TaskGpu.ordinal(Map.of())).isEmpty();
        assertThat(TaskGpu.ordinal(Map.of("gpu", new ResourceInformation("gpu", new String[0])))).isEmpty();
        assertThat(TaskGpu.current()).as("outside a Spark task").isEmpty();
    }

    @Test
    void anAddressThatIsNotAnOrdinalIsNamed() {
        assertThatThrownBy(() -> TaskGpu.ordinal(Map.of("gpu", new ResourceInformation("gpu",
                new String[] {"GPU-8f3a"}))))
                .hasMessage("Cannot use GPU 'GPU-8f3a' that Spark assigned: expected a CUDA ordinal (0, 1, ...) from"
                        + " the GPU discovery script");
    }
}
