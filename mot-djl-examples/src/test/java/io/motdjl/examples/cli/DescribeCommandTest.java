package io.motdjl.examples.cli;

import static io.motdjl.examples.cli.InProcessCli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import io.motdjl.config.MoTConfig;
import io.motdjl.examples.ReferenceCases;
import io.motdjl.examples.cli.InProcessCli.Run;
import io.motdjl.nn.MoTModel;
import io.motdjl.zoo.MoTCheckpointWriter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

/** {@code mot describe}: the block tree with parameters per modality and the FLOPs per token. */
class DescribeCommandTest {

    @Test
    void theZooMoTShowsEachModalitysTowersAndTheSharedParameters() {
        Run r = run("describe", "--model", "chameleon-fmnist");
        assertEquals(0, r.status(), r.err());
        String out = r.out();
        assertTrue(out.contains("qkv  (2 towers: Linear 64 -> 192, no bias)"), out);
        assertTrue(out.contains("local_experts  (2 towers: SwiGlu(64 -> 176 -> 64))"), out);
        // embedding and head shared, 517 x 64 each; everything in the trunk split evenly
        assertTrue(out.contains("input  (TokenEmbedding(517, 64))"), out);
        assertTrue(
                out.matches("(?s).*\\ntotal\\s+267,648\\s+100,736\\s+100,736\\s+66,176\\n.*"), out);
        assertTrue(out.contains("FLOPs per token at T = 95: forward 315,520"), out);
    }

    @Test
    void theDenseTwinHasOneSetPerComponentAndTheSameFlops() {
        Run mot = run("describe", "--model", "chameleon-fmnist", "--depth", "0");
        Run dense =
                run(
                        "describe",
                        "--model",
                        "chameleon-fmnist",
                        "--architecture",
                        "dense",
                        "--depth",
                        "0");
        assertEquals(0, dense.status(), dense.err());
        assertTrue(!dense.out().contains("towers:"), dense.out());
        String flops = mot.out().substring(mot.out().indexOf("FLOPs per token"));
        assertEquals(flops, dense.out().substring(dense.out().indexOf("FLOPs per token")));
    }

    @Test
    void aHybridShowsItsMixtureBesideThePlainTowerAndFlopsPerModality(@TempDir Path tmp)
            throws Exception {
        Path dir = ReferenceCases.extract("hybrid-expert-choice", tmp);
        Run r = run("describe", "--checkpoint", dir.toString());
        assertEquals(0, r.status(), r.err());
        String out = r.out();
        assertTrue(
                out.contains(
                        "local_experts  (2 towers: MixtureOfExperts(4 x SwiGlu(32 -> 40 -> 32),"
                                + " expert_choice) | SwiGlu(32 -> 40 -> 32))"),
                out);
        // the text tower holds four experts and a router: 4 * 3 * 32 * 40 + 4 * 32 = 15,488
        assertTrue(out.matches("(?s).*local_experts .*15,488\\s+3,840.*"), out);
        // text tokens pay the router (2 layers * 2 * 4 * 32 = 512 forward FLOPs) over the dense
        assertTrue(
                out.contains(
                        "FLOPs per token at T = 64: modality 0 forward 52,544, training 157,632;"
                                + " modality 1 forward 52,032, training 156,096 (the dense model"
                                + " of the same width: forward 52,032"),
                out);
    }

    @Test
    void modalitiesThatShareATowerGetAColumnOfTheirOwn(@TempDir Path tmp) throws Exception {
        MoTConfig config =
                MoTConfig.builder()
                        .vocabSize(40)
                        .dim(16)
                        .nLayers(1)
                        .nHeads(2)
                        .ffnHiddenDim(32)
                        .nModalities(3)
                        .towers(0, 1, 1)
                        .maxSeqLen(12)
                        .build();
        Path dir = tmp.resolve("two-towers");
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = new MoTModel(config);
            model.initialize(manager, DataType.FLOAT32, new Shape(1, 1), new Shape(1, 1));
            MoTCheckpointWriter.of(model).write(dir);
        }
        Run r = run("describe", "--checkpoint", dir.toString());
        assertEquals(0, r.status(), r.err());
        String out = r.out();
        assertTrue(out.contains("; towers [0, 1, 1]"), out);
        assertTrue(out.contains("qkv  (2 towers: Linear 16 -> 48, no bias)"), out);
        assertTrue(out.contains("modality 2  modalities 1+2  shared"), out);
        // a tower: 4 * 16 * 16 + 3 * 16 * 32 + norms 16 + 16 + 2 * 8 + final 16 = 2,624;
        // embedding and head 2 * 40 * 16 = 1,280
        assertTrue(
                out.matches("(?s).*\\ntotal\\s+6,528\\s+2,624\\s+-\\s+-\\s+2,624\\s+1,280\\n.*"),
                out);
        assertTrue(
                out.contains(
                        "a token uses those of its modality and the shared ones: modality 0 3,904,"
                                + " modality 1 3,904, modality 2 3,904"),
                out);
    }

    @Test
    void aCheckpointDirectoryIsDescribedAfterItIsVerified(@TempDir Path tmp) throws Exception {
        MoTConfig config =
                MoTConfig.builder()
                        .vocabSize(40)
                        .dim(16)
                        .nLayers(1)
                        .nHeads(2)
                        .ffnHiddenDim(32)
                        .nModalities(3)
                        .maxSeqLen(12)
                        .build();
        Path dir = tmp.resolve("three");
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = new MoTModel(config);
            model.initialize(manager, DataType.FLOAT32, new Shape(1, 1), new Shape(1, 1));
            MoTCheckpointWriter.of(model).write(dir);
        }
        Run ok = run("describe", "--checkpoint", dir.toString());
        assertEquals(0, ok.status(), ok.err());
        assertTrue(ok.out().contains("modality 2"), ok.out());
        assertTrue(ok.out().contains("qkv  (3 towers: Linear 16 -> 48, no bias)"), ok.out());

        Files.writeString(dir.resolve("model.safetensors"), "not a checkpoint");
        Run broken = run("describe", "--checkpoint", dir.toString());
        assertEquals(ExitStatus.FAILURE, broken.status(), broken.out());

        Run r = run("describe", "--checkpoint", "/nonexistent/dir");
        assertEquals(ExitStatus.FAILURE, r.status(), r.out());
        assertTrue(r.err().contains("checkpoint directory not found"), r.err());
        Run both = run("describe", "--checkpoint", "x", "--model", "chameleon-fmnist");
        assertEquals(ExitStatus.USAGE, both.status());
    }
}
