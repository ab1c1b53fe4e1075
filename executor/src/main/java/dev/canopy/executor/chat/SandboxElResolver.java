package dev.canopy.executor.chat;

import com.hubspot.jinjava.el.TypeConvertingMapELResolver;
import com.hubspot.jinjava.el.ext.JinjavaBeanELResolver;
import com.hubspot.jinjava.el.ext.JinjavaListELResolver;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.objects.SafeString;
import com.hubspot.jinjava.util.ForLoop;
import java.beans.FeatureDescriptor;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;
import jinjava.javax.el.PropertyNotWritableException;

/**
 * How template expressions reach into values: {@code a.b}, {@code a['b']}, {@code a[0]} and
 * {@code a.m(...)}. It replaces jinjava's default resolver, which reads JavaBean properties and calls
 * public methods of any Java object (guarded only by a deny-list). This one is an allow-list:
 * <ul>
 *   <li>properties: keys of maps, indexes of lists and strings, and the fields of {@code loop};</li>
 *   <li>methods: the Python string and dict methods of {@link PythonMethods}, {@code loop.cycle()}, and
 *       jinjava's own calls of filters and tests;</li>
 *   <li>nothing is writable.</li>
 * </ul>
 * A call of any other method stops the render with {@link ChatTemplateError.Reason#FORBIDDEN}; a read
 * of any other property is undefined, as in Jinja.
 */
final class SandboxElResolver extends ELResolver {

    static final List<String> LOOP_PROPERTIES = List.of("index", "index0", "revindex", "revindex0", "first", "last",
            "length", "depth", "depth0");

    private final ELResolver lists = new JinjavaListELResolver(true);
    private final ELResolver maps = new TypeConvertingMapELResolver(true);
    /** Only for jinjava's own test objects, whose {@code evaluate} takes varargs. */
    private final ELResolver tests = new JinjavaBeanELResolver(true);

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        if (base == null) {
            return null;
        }
        RenderBudget.current().check();
        if (base instanceof Map<?, ?>) {
            return maps.getValue(context, base, property);
        }
        if (base instanceof List<?>) {
            return lists.getValue(context, base, property);
        }
        context.setPropertyResolved(true);
        if (base instanceof String || base instanceof SafeString) {
            return charAt(base.toString(), property);
        }
        if (base instanceof ForLoop loop) {
            return loopProperty(loop, String.valueOf(property));
        }
        return null;
    }

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (base == null) {
            return null;
        }
        RenderBudget budget = RenderBudget.current();
        String name = String.valueOf(method);
        Object[] args = params == null ? new Object[0] : params;
        if (base instanceof Filter filter && name.equals("filter") && args.length == 4) {
            context.setPropertyResolved(true);
            @SuppressWarnings("unchecked")
            Map<String, Object> kwargs = (Map<String, Object>) args[3];
            return filter.filter(args[0], (JinjavaInterpreter) args[1], (Object[]) args[2], kwargs);
        }
        if (base instanceof ExpTest && (name.equals("evaluate") || name.equals("evaluateNegated"))) {
            budget.step(1);
            return tests.invoke(context, base, method, paramTypes, params);
        }
        if (base instanceof ForLoop loop && name.equals("cycle")) {
            budget.step(1);
            context.setPropertyResolved(true);
            return loop.cycle(args);
        }
        if (PythonMethods.isCallable(base)) {
            context.setPropertyResolved(true);
            return PythonMethods.call(base, name, args, budget);
        }
        throw budget.stop(ChatTemplateError.Reason.FORBIDDEN, "templates cannot call method '" + name + "' on "
                + TemplateValues.describe(base) + "; they may call only the string methods "
                + PythonMethods.STRING_METHODS + " and the mapping methods " + PythonMethods.MAP_METHODS);
    }

    /** {@code s[i]}, Python-style; jinjava hands the index over as a number or as its text. */
    private static Object charAt(String s, Object property) {
        long i;
        if (property instanceof Number n) {
            i = n.longValue();
        } else {
            try {
                i = Long.parseLong(String.valueOf(property));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        if (i < 0) {
            i += s.length();
        }
        return i >= 0 && i < s.length() ? String.valueOf(s.charAt((int) i)) : null;
    }

    private static Object loopProperty(ForLoop loop, String name) {
        return switch (name) {
            case "index" -> loop.getIndex();
            case "index0" -> loop.getIndex0();
            case "revindex" -> loop.getRevindex();
            case "revindex0" -> loop.getRevindex0();
            case "first" -> loop.isFirst();
            case "last" -> loop.isLast();
            case "length" -> loop.getLength();
            case "depth" -> loop.getDepth();
            case "depth0" -> loop.getDepth0();
            default -> null;
        };
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        throw new PropertyNotWritableException("Cannot assign " + property + ": template values are read-only");
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return Object.class;
    }
}
