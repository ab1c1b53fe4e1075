package dev.canopy.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.Test;

/**
 * The module layering the README and STYLE.md describe, checked on the compiled classes: jobs -> pipeline ->
 * executor -> {prefix-tree, offload}, a module using only modules below it, and Spark (and the Scala library
 * it brings) only in pipeline and jobs, so the engine runs in a plain JUnit test.
 */
class ModuleLayeringTest {

    private final JavaClasses classes = CanopyMainClasses.get();

    @Test
    void importsTheClassesOfEveryModule() {
        for (String module : new String[] {"prefixtree", "offload", "executor", "pipeline", "jobs"}) {
            assertThat(classes.containPackage("dev.canopy." + module)).as("module package dev.canopy.%s", module).isTrue();
        }
    }

    @Test
    void eachModuleUsesOnlyTheModulesBelowIt() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("jobs").definedBy("dev.canopy.jobs..")
                .layer("pipeline").definedBy("dev.canopy.pipeline..")
                .layer("executor").definedBy("dev.canopy.executor..")
                .layer("prefix-tree").definedBy("dev.canopy.prefixtree..")
                .layer("offload").definedBy("dev.canopy.offload..")
                .whereLayer("jobs").mayNotBeAccessedByAnyLayer()
                .whereLayer("pipeline").mayOnlyBeAccessedByLayers("jobs")
                .whereLayer("executor").mayOnlyBeAccessedByLayers("pipeline", "jobs")
                .whereLayer("prefix-tree").mayOnlyBeAccessedByLayers("executor", "pipeline", "jobs")
                .whereLayer("offload").mayOnlyBeAccessedByLayers("executor", "pipeline", "jobs")
                .check(classes);
    }

    @Test
    void onlyPipelineAndJobsUseSpark() {
        noClasses().that().resideInAnyPackage("dev.canopy.executor..", "dev.canopy.prefixtree..", "dev.canopy.offload..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.spark..", "scala..")
                .because("the engine must run in a plain JUnit test, without Spark (STYLE.md, synthesis 2)")
                .check(classes);
    }
}
