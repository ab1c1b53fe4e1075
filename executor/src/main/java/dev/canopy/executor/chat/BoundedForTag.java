package dev.canopy.executor.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.ForTag;
import com.hubspot.jinjava.tree.TagNode;
import java.io.Serial;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Jinjava's {@code for} tag, charging each loop's iterations to the render's step budget before the
 * loop starts. Without it a loop with an empty body would cost nothing per iteration, and nested
 * loops over large ranges could run for hours inside one budget.
 */
final class BoundedForTag extends ForTag {

    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public String renderForCollection(TagNode tagNode, JinjavaInterpreter interpreter, List<String> loopVars,
                                      Object collection) {
        RenderBudget.current().step(1 + iterations(collection));
        return super.renderForCollection(tagNode, interpreter, loopVars, collection);
    }

    private static long iterations(Object collection) {
        if (collection instanceof Collection<?> c) {
            return c.size();
        }
        if (collection instanceof Map<?, ?> m) {
            return m.size();
        }
        if (collection instanceof Object[] array) {
            return array.length;
        }
        return 1;
    }
}
