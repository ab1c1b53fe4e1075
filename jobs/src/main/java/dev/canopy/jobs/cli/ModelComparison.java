package dev.canopy.jobs.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * {@code canopy bench --model A --vs B,C}: the single-stream bench of several models in one process. Each round
 * runs every model once (odd rounds in reverse order), so a busy machine's drift falls on all of them alike; each
 * model keeps its best round, and reports its tokens/s as a ratio to the first model's. Each model also reports its
 * decode ratio within every round (its rate over the first model's in that round) and the median of those: on a
 * machine whose speed swings between runs a minute apart, ratios taken in the same round are the ones to compare.
 */
final class ModelComparison {

    private ModelComparison() {}

    static Map<String, Object> run(Args a, BiFunction<Args, Path, Map<String, Object>> singleStream) {
        List<Path> models = new ArrayList<>();
        models.add(Path.of(a.required("model")));
        for (String vs : a.required("vs").split(",")) {
            models.add(Path.of(vs.trim()));
        }
        int rounds = a.intValue("rounds");
        if (rounds < 1) {
            throw new UsageException("canopy bench: --rounds must be positive, got " + rounds);
        }
        List<Map<String, Object>> best = new ArrayList<>();
        List<List<Double>> decodeRatios = new ArrayList<>(); // per model, its decode ratio in each round
        for (int m = 0; m < models.size(); m++) {
            best.add(null);
            decodeRatios.add(new ArrayList<>());
        }
        for (int round = 0; round < rounds; round++) {
            double[] decode = new double[models.size()];
            for (int i = 0; i < models.size(); i++) {
                // odd rounds run the models in reverse order, so a drift within rounds favours none of them
                int m = round % 2 == 0 ? i : models.size() - 1 - i;
                Map<String, Object> r = singleStream.apply(a, models.get(m));
                decode[m] = (Double) r.get("decode_tokens_per_s");
                best.set(m, best.get(m) == null ? r : better(best.get(m), r));
            }
            for (int m = 0; m < models.size(); m++) {
                decodeRatios.get(m).add(round3(decode[m] / decode[0]));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rounds", rounds);
        double baseDecode = (Double) best.getFirst().get("decode_tokens_per_s");
        double basePrefill = (Double) best.getFirst().get("prefill_tokens_per_s");
        for (int m = 0; m < models.size(); m++) {
            Map<String, Object> r = best.get(m);
            r.put("decode_ratio", Math.round((Double) r.get("decode_tokens_per_s") / baseDecode * 1000) / 1000.0);
            r.put("prefill_ratio", Math.round((Double) r.get("prefill_tokens_per_s") / basePrefill * 1000) / 1000.0);
            r.put("decode_ratio_per_round", decodeRatios.get(m));
            r.put("decode_ratio_median", median(decodeRatios.get(m)));
            out.put(models.get(m).getFileName().toString(), r);
        }
        return out;
    }

    /** The median of {@code values} (of an even count, the mean of the middle two), to 3 decimals. */
    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return round3(n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2);
    }

    private static double round3(double x) {
        return Math.round(x * 1000) / 1000.0;
    }

    /** The round with the higher decode rate, its prefill rate the higher of the two. */
    private static Map<String, Object> better(Map<String, Object> x, Map<String, Object> y) {
        Map<String, Object> b = (Double) y.get("decode_tokens_per_s") > (Double) x.get("decode_tokens_per_s") ? y : x;
        b.put("prefill_tokens_per_s", Math.max((Double) x.get("prefill_tokens_per_s"),
                (Double) y.get("prefill_tokens_per_s")));
        return b;
    }
}
