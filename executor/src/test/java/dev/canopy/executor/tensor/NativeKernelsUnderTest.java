package dev.canopy.executor.tensor;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The one rule for tests of the C kernel library: where it did not load (built without gcc, or a CPU/OS it does
 * not support) they skip, except where the library is required (CI, or a run asked for it), where they fail,
 * so a build that silently lost its native kernels cannot pass as tested.
 *
 * <p>Required when the environment has {@code CI=true} or the JVM has {@code -Dcanopy.requireNative=true}
 * (Maven passes {@code mvn -Dcanopy.requireNative=true test} on to the test JVM).
 */
public final class NativeKernelsUnderTest {

    static final String REQUIRE_PROPERTY = "canopy.requireNative";
    /** Set by the executor's native-kernels profile: the build made the library, so it must load. */
    static final String BUILT_PROPERTY = "canopy.native.required";

    private NativeKernelsUnderTest() {
    }

    /** The loaded library; skips the calling test where it did not load, fails it where it is required. */
    static NativeKernels loadOrSkip() {
        assumeTrue(loaded(), () -> "native kernels not loaded: " + NativeKernels.loadFailure());
        return NativeKernels.load().orElseThrow();
    }

    /**
     * Whether the library loaded; false only where it may be missing. Where it is required and missing, fails
     * the calling test naming why it did not load.
     */
    public static boolean loaded() {
        if (NativeKernels.load().isPresent()) {
            return true;
        }
        if (required()) {
            fail("Cannot test the native kernels: the C library did not load (" + NativeKernels.loadFailure()
                    + "), and this run requires it (CI=" + System.getenv("CI") + ", -D" + REQUIRE_PROPERTY + "="
                    + System.getProperty(REQUIRE_PROPERTY) + "). Install gcc and rebuild the executor (profile"
                    + " native-kernels), or unset both to let these tests skip");
        }
        return false;
    }

    static boolean required() {
        return "true".equalsIgnoreCase(System.getenv("CI")) || Boolean.getBoolean(REQUIRE_PROPERTY)
                || Boolean.getBoolean(BUILT_PROPERTY);
    }
}
