package dev.canopy.pipeline.query;

import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;

import scala.Tuple3;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * Canopy's SQL functions, registered with {@code spark.sql.extensions=dev.canopy.pipeline.query.CanopyExtensions}
 * (or {@code SparkSession.builder().withExtensions(new CanopyExtensions())}):
 *
 * <pre>{@code
 * SELECT id, generated_text, finish_reason
 * FROM canopy_generate(TABLE(prompts), model => '/models/model.gguf', max_tokens => 32);
 * }</pre>
 *
 * See {@link GenerateTableFunction} for the arguments and the columns.
 */
public final class CanopyExtensions extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {

    /** The table-valued function's name. */
    public static final String GENERATE = "canopy_generate";

    @Override
    public BoxedUnit apply(SparkSessionExtensions extensions) {
        ExpressionInfo info = new ExpressionInfo(GenerateTableFunction.class.getName(), null, GENERATE,
                GenerateTableFunction.USAGE, "");
        extensions.injectTableFunction(new Tuple3<>(FunctionIdentifier.apply(GENERATE), info,
                GenerateTableFunction::plan));
        return BoxedUnit.UNIT;
    }
}
