package dev.canopy.executor.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaProcessors;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.random.RandomNumberGeneratorStrategy;
import com.hubspot.jinjava.tree.Node;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds the jinjava engine that runs chat templates, configured as a sandbox:
 * <ul>
 *   <li>Jinja semantics as Hugging Face uses them: {@code trim_blocks} (and {@code lstrip_blocks}, by
 *       {@link JinjaWhitespace}), {@code {{-} and {@code {#-} whitespace control, loops
 *       over a dict's keys, Python-style printing of lists and dicts, natural operator precedence;</li>
 *   <li>an allow-list of tags, filters and functions (everything else jinjava offers, including
 *       {@code include}, {@code import}, {@code from}, {@code extends}, date, URL, YAML and random
 *       helpers, is disabled), and a resource locator that loads nothing;</li>
 *   <li>no Java access: {@link SandboxElResolver} replaces jinjava's JavaBean resolver;</li>
 *   <li>no nested interpretation, so text in messages that looks like a template is never run;</li>
 *   <li>every node, loop iteration, filter and call charged to the render's {@link RenderBudget}.</li>
 * </ul>
 * Engines are immutable once built and shared between templates with the same limits.
 */
final class Sandbox {

    static final Set<String> TAGS = Set.of("if", "elif", "else", "endif", "for", "endfor", "set", "endset", "macro",
            "endmacro", "call", "endcall", "raw", "endraw", "do", "enddo", "break", "continue", "print",
            "autoescape", "endautoescape");
    static final Set<String> FILTERS = Set.of("abs", "batch", "capitalize", "center", "count", "d", "default",
            "dictsort", "e", "escape", "first", "float", "forceescape", "groupby", "indent", "int", "join", "last",
            "length", "list", "lower", "map", "reject", "rejectattr", "replace", "reverse", "round", "safe", "select",
            "selectattr", "slice", "sort", "string", "sum", "title", "tojson", "trim", "truncate", "unique", "upper",
            "wordcount");
    static final Set<String> FUNCTIONS = Set.of("range", "namespace", "raise_exception", "strftime_now");

    private static final Map<ChatTemplateLimits, Jinjava> ENGINES = new ConcurrentHashMap<>();

    private Sandbox() {}

    /** The engine for templates with {@code limits}. */
    static Jinjava engine(ChatTemplateLimits limits) {
        return ENGINES.computeIfAbsent(limits, Sandbox::build);
    }

    private static Jinjava build(ChatTemplateLimits limits) {
        Jinjava defaults = new Jinjava();
        Jinjava jinjava = new Jinjava(config(limits, disabled(defaults.getGlobalContext())));
        jinjava.setResourceLocator(new RefusingResourceLocator());
        for (Filter f : defaults.getGlobalContext().getAllFilters()) {
            if (FILTERS.contains(f.getName())) {
                jinjava.registerFilter(new BoundedFilter(f));
            }
        }
        jinjava.registerFilter(new BoundedFilter(new TojsonFilter()));
        TemplateFunctions.definitions().forEach(jinjava::registerFunction);
        jinjava.registerTag(new BoundedForTag());
        return jinjava;
    }

    /** Every default tag, filter and function that is not on the allow-lists. */
    private static Map<Context.Library, Set<String>> disabled(Context defaults) {
        Set<String> tags = new HashSet<>();
        for (Tag t : defaults.getAllTags()) {
            if (!TAGS.contains(t.getName())) {
                tags.add(t.getName());
            }
        }
        Set<String> filters = new HashSet<>();
        for (Filter f : defaults.getAllFilters()) {
            if (!FILTERS.contains(f.getName())) {
                filters.add(f.getName());
            }
        }
        Set<String> functions = new HashSet<>();
        for (ELFunctionDefinition f : defaults.getAllFunctions()) {
            if (!f.getNamespace().isEmpty() || !FUNCTIONS.contains(f.getLocalName())) {
                functions.add(f.getName());
            }
        }
        Map<Context.Library, Set<String>> disabled = new HashMap<>();
        disabled.put(Context.Library.TAG, tags);
        disabled.put(Context.Library.FILTER, filters);
        disabled.put(Context.Library.FUNCTION, functions);
        return disabled;
    }

    /**
     * Runs before every node: charges a step, and points jinjava's error positions at this node (jinjava
     * itself tracks only top-level nodes, so an error inside a loop would name the loop's line).
     */
    private static void enterNode(Node node, JinjavaInterpreter interpreter) {
        interpreter.setLineNumber(node.getLineNumber());
        interpreter.setPosition(node.getStartPosition());
        RenderBudget.current().enterNode(node.getLineNumber(), node.getStartPosition());
    }

    private static JinjavaConfig config(ChatTemplateLimits limits, Map<Context.Library, Set<String>> disabled) {
        LegacyOverrides jinjaSemantics = LegacyOverrides.newBuilder()
                .withIterateOverMapKeys(true)
                .withEvaluateMapKeys(true)
                .withUsePyishObjectMapper(true)
                .withUseNaturalOperatorPrecedence(true)
                .withParseWhitespaceControlStrictly(true)
                .withUseTrimmingForNotesAndExpressions(true)
                .build();
        return JinjavaConfig.newBuilder()
                .withLocale(Locale.ENGLISH)
                .withTimeZone(ZoneOffset.UTC)
                .withTrimBlocks(false) // done by JinjaWhitespace, as Jinja does it
                .withLstripBlocks(false) // done by JinjaWhitespace, as Jinja does it
                .withLegacyOverrides(jinjaSemantics)
                .withNestedInterpretationEnabled(false)
                .withDisabled(disabled)
                .withElResolver(new SandboxElResolver())
                .withInterperterFactory(new SandboxInterpreter.Factory())
                .withMaxOutputSize(limits.maxOutputChars())
                .withMaxStringLength(limits.maxStringChars())
                .withMaxListSize(limits.maxListSize())
                .withMaxMapSize(limits.maxListSize())
                .withRangeLimit(limits.maxRangeLength())
                .withEnableRecursiveMacroCalls(true)
                .withMaxMacroRecursionDepth(limits.maxDepth())
                .withRandomNumberGeneratorStrategy(RandomNumberGeneratorStrategy.CONSTANT_ZERO)
                .withProcessors(JinjavaProcessors.newBuilder()
                        .withNodePreProcessor(Sandbox::enterNode)
                        .build())
                .build();
    }
}
