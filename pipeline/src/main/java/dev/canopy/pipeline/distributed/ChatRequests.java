package dev.canopy.pipeline.distributed;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructType;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.canopy.executor.chat.ChatMessage;
import dev.canopy.executor.chat.ChatRequest;

/**
 * Reads what a chat row asks the template for, beyond its messages: the optional columns {@code tools} (tool
 * definitions), {@code chat_template_kwargs} (template variables such as Qwen3's {@code enable_thinking}),
 * {@code add_generation_prompt} and {@code continue_final_message}, each as JSON text or as Spark values. The job's
 * chat template variables ({@code --chat-template-kwargs}) apply to every row, under the row's own. Messages keep their extra fields
 * ({@code tool_calls}, {@code tool_call_id}, {@code name}, {@code reasoning_content}), see {@link ChatMessages}.
 */
final class ChatRequests {

    static final String TOOLS = "tools";
    static final String KWARGS = "chat_template_kwargs";
    static final String ADD_GENERATION_PROMPT = "add_generation_prompt";
    static final String CONTINUE_FINAL_MESSAGE = "continue_final_message";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ChatRequests() {}

    /** The request of {@code row}, whose messages are at {@code messagesIndex}, with no job-wide variables. */
    static ChatRequest of(Row row, int messagesIndex, int maxChars) {
        return of(row, messagesIndex, maxChars, Map.of());
    }

    /**
     * The request of {@code row}, whose messages are at {@code messagesIndex}; its template variables are
     * {@code jobKwargs} overridden key by key by the row's {@code chat_template_kwargs}.
     *
     * @throws IllegalArgumentException naming the column or message field that cannot be read
     */
    @SuppressWarnings("unchecked")
    static ChatRequest of(Row row, int messagesIndex, int maxChars, Map<String, Object> jobKwargs) {
        List<ChatMessage> messages = ChatMessages.of(row.getList(messagesIndex), maxChars);
        Object tools = column(row, TOOLS);
        if (tools != null && !(tools instanceof List<?>)) {
            throw new IllegalArgumentException("Cannot render messages: column " + TOOLS + " must be a JSON list of "
                    + "tool definitions");
        }
        Object kwargs = column(row, KWARGS);
        if (kwargs != null && !(kwargs instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("Cannot render messages: column " + KWARGS + " must be a JSON object, "
                    + "e.g. {\"enable_thinking\": false}");
        }
        boolean continueFinal = flag(row, CONTINUE_FINAL_MESSAGE, false);
        boolean generationPrompt = flag(row, ADD_GENERATION_PROMPT, !continueFinal);
        Map<String, Object> merged = new LinkedHashMap<>(jobKwargs);
        if (kwargs != null) {
            merged.putAll((Map<String, Object>) kwargs);
        }
        return new ChatRequest(messages, (List<Object>) tools, generationPrompt, continueFinal, merged);
    }

    /** The plain value of column {@code name} of {@code row}, or null if the row has no such column or it is null. */
    private static Object column(Row row, String name) {
        int i = Arrays.asList(row.schema().fieldNames()).indexOf(name);
        return i < 0 || row.isNullAt(i) ? null : plain(row, i, row.schema().fields()[i].dataType(), name, true);
    }

    private static boolean flag(Row row, String name, boolean dflt) {
        Object v = column(row, name);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Boolean b)) {
            throw new IllegalArgumentException("Cannot render messages: column " + name + " must be true or false, got "
                    + v);
        }
        return b;
    }

    /**
     * Field {@code i} of {@code row} as a plain value: with {@code jsonText}, a string is read as JSON text when it
     * holds an object, a list or a boolean (Spark's JSON reader gives any value of a string field as its text); Spark structs,
     * arrays and maps below it become maps and lists, their strings kept as they are.
     */
    static Object plain(Row row, int i, DataType type, String where, boolean jsonText) {
        Object v = row.get(i);
        return v instanceof String s && jsonText ? json(s, where) : value(v, type);
    }

    private static Object value(Object v, DataType type) {
        if (v == null) {
            return null;
        }
        if (type instanceof StructType struct && v instanceof Row r) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (int k = 0; k < struct.fields().length; k++) {
                if (!r.isNullAt(k)) {
                    out.put(struct.fields()[k].name(), value(r.get(k), struct.fields()[k].dataType()));
                }
            }
            return out;
        }
        if (type instanceof ArrayType array && v instanceof scala.collection.Seq<?> seq) {
            List<Object> out = new ArrayList<>();
            for (Object item : scala.jdk.javaapi.CollectionConverters.asJava(seq)) {
                out.add(value(item, array.elementType()));
            }
            return out;
        }
        if (type instanceof MapType map && v instanceof scala.collection.Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            scala.jdk.javaapi.CollectionConverters.asJava(m).forEach((k, x) -> out.put(value(k, map.keyType()),
                    value(x, map.valueType())));
            return out;
        }
        return v;
    }

    private static Object json(String text, String where) {
        String t = text.strip();
        if (!(t.startsWith("{") || t.startsWith("[") || t.equals("true") || t.equals("false"))) {
            return text;
        }
        try {
            return JSON.readValue(t, Object.class);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("Cannot render messages: " + where + " is not valid JSON: "
                    + e.getOriginalMessage());
        }
    }
}
