package io.motdjl.examples.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.motdjl.config.Untie;
import io.motdjl.nn.MoTModel;
import io.motdjl.zoo.MoTCheckpoint;
import io.motdjl.zoo.MoTModelZoo;
import io.motdjl.zoo.ZooRepositoryWriter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The zoo's training program, in a two-step miniature: it publishes a loadable repository. */
class TrainZooModelsTest {

    @Test
    void publishesBothModelsWithCardsChecksumsAndRecordedOutputs(@TempDir Path tmp)
            throws Exception {
        Path repository = tmp.resolve("repo");
        Path recorded = tmp.resolve("recorded");
        List<TrainZooModels.Published> published =
                TrainZooModels.run(
                        TrainZooModels.Settings.defaults().withSteps(2).withTokenizerIterations(1),
                        repository,
                        recorded,
                        "test command");
        assertEquals(
                List.of("mot-d64-l2", "dense-d64-l2"),
                published.stream().map(TrainZooModels.Published::name).toList());

        Path family =
                ZooRepositoryWriter.familyDirectory(
                        repository, MoTModelZoo.GROUP_ID, MoTModelZoo.CHAMELEON_FMNIST);
        JsonObject metadata =
                JsonParser.parseString(Files.readString(family.resolve("metadata.json")))
                        .getAsJsonObject();
        JsonArray artifacts = metadata.getAsJsonArray("artifacts");
        assertEquals(2, artifacts.size());
        for (TrainZooModels.Published p : published) {
            assertTrue(Files.isRegularFile(p.directory().resolve(MoTCheckpoint.TOKENIZER_FILE)));
            assertTrue(Files.isRegularFile(p.directory().resolve(MoTCheckpoint.README_FILE)));
            assertEquals(2.0, ((Number) p.card().training().get("steps")).doubleValue());
            assertTrue(p.card().heldOutLoss().get("image") > 0);
            assertEquals("test command", p.card().command());
            assertTrue(Files.isRegularFile(recorded.resolve(p.name() + ".safetensors")));
            try (ZooModel<NDList, NDList> model =
                    Criteria.builder()
                            .setTypes(NDList.class, NDList.class)
                            .optModelPath(p.directory())
                            .build()
                            .loadModel()) {
                Untie untie = ((MoTModel) model.getBlock()).config().untie();
                assertEquals(p.name().startsWith("mot") ? Untie.ALL : Untie.NONE, untie);
            }
        }
        JsonObject first = artifacts.get(0).getAsJsonObject();
        assertEquals("mot-d64-l2", first.get("name").getAsString());
        JsonObject weights = first.getAsJsonObject("files").getAsJsonObject("model.safetensors");
        assertEquals(64, weights.get("sha256").getAsString().length());
        assertEquals(40, weights.get("sha1Hash").getAsString().length());
    }
}
