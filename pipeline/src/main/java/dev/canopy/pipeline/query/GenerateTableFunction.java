package dev.canopy.pipeline.query;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.FunctionTableSubqueryArgumentExpression;
import org.apache.spark.sql.catalyst.expressions.NamedArgumentExpression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.util.MapData;
import org.apache.spark.sql.classic.SparkSession;
import org.apache.spark.sql.types.MapType;

import dev.canopy.pipeline.Canopy;
import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.input.InvalidInputException;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * {@code canopy_generate(TABLE(t), model => 'file.gguf', max_tokens => 16, ...)}: the rows of a table or query with
 * generated text, as the batch job writes them (the input's columns, an {@code id} when it has none, then
 * {@code generated_text}, {@code finish_reason}, token counts, {@code error}, {@code model}, {@code latency_ms}).
 * Generation is lazy and runs with the statement; rows are range-partitioned by prompt prefix and ordered by the
 * batch planner within a partition, as in the batch job. Arguments after the table, by name (or the model as the
 * second argument, and a {@code map('key', 'value', ...)} of the others as the third):
 * {@link SqlOptions#KEYS}.
 */
final class GenerateTableFunction {

    static final String USAGE = "canopy_generate(TABLE(t), model => 'model.gguf' [, max_tokens => N, temperature => T,"
            + " top_k => K, top_p => P, seed => S, n => N, prompt_column => 'prompt', messages_column => 'messages',"
            + " id_column => 'id', text_column => 'generated_text', partitions => N, prefix_key_tokens => N,"
            + " max_prompt_chars => N, output_schema => 'label STRING, score DOUBLE']) - Generates text for each row of"
            + " the table with a GGUF model; with output_schema (a Spark DDL struct) every row's text is JSON of that"
            + " type and generated_text_parsed holds it as a typed struct.";

    private GenerateTableFunction() {}

    /** The logical plan of the statement's generation, from the function's arguments. */
    static LogicalPlan plan(Seq<Expression> arguments) {
        List<Expression> args = CollectionConverters.asJava(arguments);
        if (args.isEmpty() || !(args.get(0) instanceof FunctionTableSubqueryArgumentExpression table)) {
            throw new InvalidInputException("Cannot call " + CanopyExtensions.GENERATE + ": its first argument must be"
                    + " a table, TABLE(name) or TABLE(SELECT ...); usage: " + USAGE);
        }
        Map<String, String> named = new LinkedHashMap<>();
        for (int i = 1; i < args.size(); i++) {
            Expression arg = args.get(i);
            if (arg instanceof NamedArgumentExpression n) {
                named.put(n.key().toLowerCase(java.util.Locale.ROOT), constant(n.key(), n.value()));
            } else if (i == 1) {
                named.put("model", constant("model", arg));
            } else if (i == 2 && arg.foldable() && arg.dataType() instanceof MapType type
                    && arg.eval(null) instanceof MapData map) {
                putAll(named, map, type);
            } else {
                throw new InvalidInputException("Cannot call " + CanopyExtensions.GENERATE + ": argument " + (i + 1)
                        + " (" + arg.sql() + ") is neither name => value nor the model or an options map; usage: " + USAGE);
            }
        }
        GenerateOptions options = SqlOptions.parse(named);
        SparkSession spark = SparkSession.active();
        Dataset<Row> input = org.apache.spark.sql.classic.Dataset.ofRows(spark, table.plan());
        Dataset<Row> generated = Canopy.generateLazily(input, options);
        return ((org.apache.spark.sql.classic.Dataset<Row>) generated).logicalPlan();
    }

    private static String constant(String name, Expression value) {
        if (!value.foldable()) {
            throw new InvalidInputException("Cannot call " + CanopyExtensions.GENERATE + ": argument " + name + " ("
                    + value.sql() + ") must be a constant");
        }
        Object v = value.eval(null);
        if (v == null) {
            throw new InvalidInputException("Cannot call " + CanopyExtensions.GENERATE + ": argument " + name
                    + " is null");
        }
        return v.toString();
    }

    private static void putAll(Map<String, String> named, MapData map, MapType type) {
        Object[] keys = map.keyArray().toObjectArray(type.keyType());
        Object[] values = map.valueArray().toObjectArray(type.valueType());
        for (int i = 0; i < keys.length; i++) {
            named.put(String.valueOf(keys[i]).toLowerCase(java.util.Locale.ROOT), String.valueOf(values[i]));
        }
    }
}
