package dev.canopy.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;

/**
 * The production classes of every Canopy module, as this module's test class path holds them: each module's
 * {@code target/classes} in a reactor build, its jar otherwise. Test classes and test jars (the executor's and
 * offload's {@code -tests.jar}, which other modules reuse) are left out: the rules are about the product.
 */
final class CanopyMainClasses {

    private static final ImportOption PRODUCTION_ONLY = new ImportOption() {
        @Override
        public boolean includes(Location location) {
            return ImportOption.Predefined.DO_NOT_INCLUDE_TESTS.includes(location)
                    && !location.contains("-tests.jar");
        }
    };

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(PRODUCTION_ONLY)
            .importPackages("dev.canopy");

    private CanopyMainClasses() {
    }

    /** Imported once per test JVM; every rule reads the same graph. */
    static JavaClasses get() {
        return CLASSES;
    }
}
