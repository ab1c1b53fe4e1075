package dev.canopy.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A frozen cycle stays known while the imports along it change, and only while it runs through the same packages. */
class SameCycleTest {

    private static final String KV_MODEL = """
            Cycle detected: Slice executor.kv -> \n                Slice executor.model -> \n                Slice executor.kv
              1. Dependencies of Slice executor.kv
                - Method <dev.canopy.executor.kv.KvStorage.of(ModelConfig)> has parameter of type <ModelConfig> in (KvStorage.java:12)
              2. Dependencies of Slice executor.model
                - Field <dev.canopy.executor.model.Attention.cache> has type <KvCache> in (Attention.java:0)""";

    private final SameCycle sameCycle = new SameCycle();

    @Test
    void theSameCycleWithOtherDependenciesAlongItIsKnown() {
        String moreImports = KV_MODEL.replace("(KvStorage.java:12)", "(KvStorage.java:40)")
                + "\n    - Method <dev.canopy.executor.model.CpuBackend.kv()> has return type <KvCache> in (CpuBackend.java:0)";
        assertThat(sameCycle.matches(moreImports, KV_MODEL)).isTrue();
    }

    @Test
    void aCycleThroughOtherPackagesIsNew() {
        String longer = KV_MODEL.replace("Slice executor.model -> \n", "Slice executor.model -> \n                Slice executor.engine -> \n");
        assertThat(sameCycle.matches(longer, KV_MODEL)).isFalse();
        assertThat(sameCycle.matches(KV_MODEL.replace("executor.kv", "jobs").replace("executor.model", "jobs.cli"),
                KV_MODEL)).isFalse();
    }
}
