package dev.canopy.pipeline.distributed;

import java.util.ArrayList;
import java.util.List;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import scala.jdk.javaapi.CollectionConverters;

import dev.canopy.pipeline.generate.GeneratedChoice;
import dev.canopy.pipeline.generate.RowError;
import dev.canopy.pipeline.generate.RowResult;

/** Builds output rows: the input's columns followed by {@link ResultColumns#fields}. */
final class ResultRows {

    private final int passthroughWidth;
    private final boolean multiChoice;
    private final String modelName;

    ResultRows(int passthroughWidth, boolean multiChoice, String modelName) {
        this.passthroughWidth = passthroughWidth;
        this.multiChoice = multiChoice;
        this.modelName = modelName;
    }

    /** The output row for {@code input} with {@code result}. */
    Row build(Row input, RowResult result) {
        List<Object> values = new ArrayList<>(passthroughWidth + 9);
        for (int i = 0; i < passthroughWidth; i++) {
            values.add(input.get(i));
        }
        String error = null;
        switch (result) {
            case RowResult.Generated generated -> {
                GeneratedChoice first = generated.choices().getFirst();
                values.add(first.text());
                if (multiChoice) {
                    values.add(CollectionConverters.asScala(choices(generated.choices())).toSeq());
                }
                values.add(first.finishReason());
                error = generated.failure().map(RowError::columnText).orElse(null);
            }
            case RowResult.Failed failed -> {
                values.add(null);
                if (multiChoice) {
                    values.add(null);
                }
                values.add(null);
                error = failed.error().columnText();
            }
        }
        values.add(result.promptTokens());
        values.add(result.cachedPromptTokens());
        values.add(result.completionTokens());
        values.add(error);
        values.add(modelName);
        values.add(result.latencyNanos() / 1e6);
        return RowFactory.create(values.toArray());
    }

    private static List<Row> choices(List<GeneratedChoice> choices) {
        List<Row> rows = new ArrayList<>(choices.size());
        for (int i = 0; i < choices.size(); i++) {
            GeneratedChoice c = choices.get(i);
            rows.add(RowFactory.create(i, c.text(), c.finishReason(), c.tokens()));
        }
        return rows;
    }
}
