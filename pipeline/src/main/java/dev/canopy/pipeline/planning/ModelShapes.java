package dev.canopy.pipeline.planning;

import dev.canopy.executor.gguf.GgufTensorInfo;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.model.ModelConfig;
import dev.canopy.prefixtree.ModelShape;

/** The planner's view of a loaded model: its dimensions and the bytes each weight takes. */
public final class ModelShapes {

    private ModelShapes() {}

    public static ModelShape of(Model model) {
        ModelConfig c = model.config();
        long params = 0;
        long bytes = 0;
        for (GgufTensorInfo t : model.file().tensorInfos().values()) {
            params += t.elementCount();
            bytes += t.byteSize();
        }
        double bytesPerWeight = params == 0 ? 4 : (double) bytes / params;
        return new ModelShape(c.layers(), c.dim(), c.heads(), c.kvHeads(), c.headDim(), c.ffn(), c.vocab(),
                bytesPerWeight, Float.BYTES);
    }
}
