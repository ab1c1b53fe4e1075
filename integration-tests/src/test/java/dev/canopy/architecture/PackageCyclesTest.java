package dev.canopy.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.Slice;
import com.tngtech.archunit.library.freeze.FreezingArchRule;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No two packages of a module use each other, directly or around a loop (each package is one slice; cycles
 * between modules are ruled out by {@link ModuleLayeringTest}). One rule per module: over all of
 * {@code dev.canopy} at once, ArchUnit 1.4 reported only some of the cycles.
 *
 * <p>Cycles that predate this rule are frozen, not fixed, because their packages are being rewritten on other
 * branches: {@code executor.kv <-> executor.model} (the KV storages size themselves from
 * {@code model.ModelConfig}; the model's attention and backends read the KV cache), {@code pipeline <->
 * pipeline.spark} ({@code Canopy.generate} calls the Spark plan, which reads {@code GenerateOptions}). The jobs
 * cycles are broken: {@code jobs} (the entry points) uses {@code jobs.cli} and {@code jobs.batch}, which use only
 * {@code jobs.units}. They are stored in {@code src/test/resources/archunit-frozen};
 * any other cycle fails. A frozen cycle is matched by the packages it runs through ({@link SameCycle}), so a new
 * import inside it does not fail the build, and once it is broken ArchUnit drops it from the store. To record the
 * current cycles as known (only after a review), run once with {@code -Darchunit.freeze.refreeze=true}.
 */
class PackageCyclesTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"prefixtree", "offload", "executor", "pipeline", "jobs"})
    void packagesOfAModuleFormNoCycleExceptTheFrozenOnes(String module) {
        String root = "dev.canopy." + module;
        DescribedPredicate<Slice> inModule = DescribedPredicate.describe("are in " + root,
                slice -> slice.stream().allMatch(c -> c.getPackageName().equals(root)
                        || c.getPackageName().startsWith(root + ".")));
        ArchRule noCycles = slices().matching("dev.canopy.(**)").that(inModule).should().beFreeOfCycles();
        FreezingArchRule.freeze(noCycles).associateViolationLinesVia(new SameCycle()).check(CanopyMainClasses.get());
    }
}
