package dev.canopy.architecture;

import com.tngtech.archunit.library.freeze.ViolationLineMatcher;

/**
 * Two cycle violations are the same when they run through the same packages: ArchUnit describes a cycle by
 * its slices on the first line ("Cycle detected: Slice a -> Slice b -> Slice a") and then lists the
 * dependencies on each edge, with line numbers; only the first part names the cycle.
 */
final class SameCycle implements ViolationLineMatcher {

    @Override
    public boolean matches(String actual, String stored) {
        return slices(actual).equals(slices(stored));
    }

    private static String slices(String violation) {
        int details = violation.indexOf("\n  1. ");
        String header = details < 0 ? violation : violation.substring(0, details);
        return header.replaceAll("\\s+", " ").strip();
    }
}
