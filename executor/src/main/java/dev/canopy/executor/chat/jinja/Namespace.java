package dev.canopy.executor.chat.jinja;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code namespace(a=1)}: the one mutable value of a template, changed by {@code {% set ns.a = 2 %}}. */
final class Namespace {

    final Map<String, Object> attributes = new LinkedHashMap<>();
}
