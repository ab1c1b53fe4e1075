package dev.canopy.pipeline.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.hf.CheckpointFromGguf;
import dev.canopy.pipeline.generate.InvalidModelException;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSourceTest {

    @Test
    void aFileUriNamesItsLocalPath() {
        Path model = TestModels.stories260kF32().toAbsolutePath();
        assertThat(ModelSource.localPath(model.toUri().toString())).isEqualTo(model);
        assertThat(ModelSource.ggufFile(model.toString())).isEqualTo(model);
        assertThat(EngineAdapterFactory.forModel(model.toUri().toString()).describe().name()).isEqualTo("stories260K-f32.gguf");
    }

    @Test
    void aCheckpointDirectoryOpensAsItsConvertedGguf(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("stories-hf");
        CheckpointFromGguf.write(TestModels.stories260kF32(), dir);
        Path gguf = ModelSource.ggufFile(dir.toUri().toString());
        assertThat(gguf.getFileName().toString()).endsWith(".gguf");
        assertThat(ModelSource.ggufFile(dir.toString())).isEqualTo(gguf); // converted once, then reused
        assertThat(EngineAdapterFactory.forModel(dir.toString()).describe().name()).isEqualTo("stories-hf");
    }

    @Test
    void otherSchemesAreRefusedByName() {
        assertThatThrownBy(() -> ModelSource.localPath("hdfs://namenode:8020/models/m.gguf"))
                .isInstanceOf(InvalidModelException.class)
                .hasMessage("Cannot open model 'hdfs://namenode:8020/models/m.gguf': scheme hdfs is read only by the Spark"
                        + " batch job and LlmGenerator (through Hadoop); here give a local path or file:// URI");
    }
}
