package io.motdjl.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ModelZoo;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;

import io.motdjl.config.Untie;
import io.motdjl.io.SafetensorsFile;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;
import io.motdjl.tokenize.PatchKMeansTokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/** The checkpoints bundled in the zoo jar, found and loaded through DJL's Criteria. */
class BundledZooTest {

    private static final String MOT = "mot-d64-l2";
    private static final String DENSE = "dense-d64-l2";
    private static final List<String> CASES = List.of("caption_to_image", "image_to_caption");

    @TempDir Path tmp;

    private static Criteria.Builder<NDList, NDList> bundled() {
        return Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optGroupId(MoTModelZoo.GROUP_ID)
                .optArtifactId(MoTModelZoo.CHAMELEON_FMNIST);
    }

    @Test
    void zooIsRegisteredWithDjl() throws Exception {
        assertInstanceOf(MoTModelZoo.class, ModelZoo.getModelZoo(MoTModelZoo.GROUP_ID));
        List<BundledModel> models = new MoTModelZoo().bundledModels();
        assertEquals(
                List.of(
                        MoTModelZoo.CHAMELEON_FMNIST + "/" + DENSE,
                        MoTModelZoo.CHAMELEON_FMNIST + "/" + MOT,
                        MoTModelZoo.CHAMELEON_SPEECH_FMNIST + "/" + DENSE,
                        MoTModelZoo.CHAMELEON_SPEECH_FMNIST + "/" + MOT,
                        MoTModelZoo.TRANSFUSION_FMNIST + "/" + DENSE,
                        MoTModelZoo.TRANSFUSION_FMNIST + "/" + MOT),
                models.stream().map(m -> m.artifactId() + "/" + m.name()).toList());
        for (BundledModel m : models) {
            assertNotNull(m.card(), m.name());
            assertTrue(m.card().heldOutLoss().containsKey("text"));
            assertTrue(m.card().heldOutLoss().containsKey("image"));
            assertTrue(
                    m.artifactId().startsWith("chameleon")
                            ? m.card().command().startsWith("bin/mot zoo train")
                            : m.card().command().contains("TrainTransfusionZooModels --out"),
                    m.card().command());
            assertTrue(m.totalBytes() < 2_000_000, m.name() + ": " + m.totalBytes() + " bytes");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mot", "dense"})
    void bundledCheckpointsMatchTheirRecordedOutputs(String architecture) throws Exception {
        String name = architecture.equals("mot") ? MOT : DENSE;
        Criteria<NDList, NDList> criteria =
                bundled().optFilter("architecture", architecture).build();
        try (ZooModel<NDList, NDList> model = criteria.loadModel();
                Predictor<NDList, NDList> predictor = model.newPredictor();
                NDManager manager = NDManager.newBaseManager()) {
            assertEquals(name, model.getName());
            MoTModel block = (MoTModel) model.getBlock();
            assertEquals(
                    architecture.equals("mot") ? Untie.ALL : Untie.NONE, block.config().untie());
            PatchKMeansTokenizer tokenizer = MoTCheckpoint.imageTokenizer(model).orElseThrow();
            assertEquals(256, tokenizer.codebookSize());
            Tiny.forceGarbageCollection();

            Map<String, NDArray> recorded = recorded(name, manager);
            for (String c : CASES) {
                NDArray tokens = recorded.get(c + ".tokens").expandDims(0);
                NDArray modalities = recorded.get(c + ".modalities").expandDims(0);
                NDList out = predictor.predict(MoTInputs.of(tokens, modalities).toNDList());
                NDArray positions = recorded.get(c + ".logit_positions");
                NDArray logits = out.get(0).get(new NDIndex("0, {}", positions));
                assertClose(recorded.get(c + ".logits"), logits, 1e-4, name + " " + c + " logits");
                assertClose(
                        recorded.get(c + ".loss_per_modality"),
                        out.get(2),
                        1e-5,
                        name + " " + c + " loss per modality");
                assertClose(
                        recorded.get(c + ".loss"),
                        out.get(1).reshape(1),
                        1e-5,
                        name + " " + c + " loss");
            }
        }
        // the same through the record translator
        Criteria<MoTSequence, MoTScore> scores =
                Criteria.builder()
                        .setTypes(MoTSequence.class, MoTScore.class)
                        .optGroupId(MoTModelZoo.GROUP_ID)
                        .optArtifactId(MoTModelZoo.CHAMELEON_FMNIST)
                        .optFilter("architecture", architecture)
                        .build();
        try (ZooModel<MoTSequence, MoTScore> model = scores.loadModel();
                Predictor<MoTSequence, MoTScore> predictor = model.newPredictor();
                NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> recorded = recorded(name, manager);
            for (String c : CASES) {
                int[] tokens =
                        recorded.get(c + ".tokens")
                                .toType(ai.djl.ndarray.types.DataType.INT32, false)
                                .toIntArray();
                MoTScore score = predictor.predict(MoTSequence.of(tokens));
                float[] want = recorded.get(c + ".target_log_probs").toFloatArray();
                float[] got = score.targetLogProbs();
                assertEquals(want.length, got.length);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 1e-4, name + " " + c + " log p of target " + i);
                }
                assertEquals(recorded.get(c + ".loss").getFloat(0), score.loss(), 1e-5);
            }
            TranslateException none =
                    assertThrows(TranslateException.class, () -> predictor.predict(null));
            assertTrue(
                    String.valueOf(none.getCause()).contains("no sequence given"),
                    String.valueOf(none.getCause()));
        }
    }

    @Test
    void withoutAFilterTheMoTIsChosen() throws Exception {
        try (ZooModel<NDList, NDList> model = bundled().build().loadModel()) {
            assertEquals(MOT, model.getName());
        }
    }

    @Test
    void unknownFilterValueListsTheArtifacts() {
        Criteria<NDList, NDList> criteria = bundled().optFilter("architecture", "moe").build();
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class, criteria::loadModel);
        String message = String.valueOf(e.getCause().getMessage());
        assertTrue(message.contains(MOT) && message.contains(DENSE), message);
    }

    @Test
    void unsupportedTypesListTheSupportedOnes() {
        Criteria<String, Integer> criteria =
                Criteria.builder()
                        .setTypes(String.class, Integer.class)
                        .optGroupId(MoTModelZoo.GROUP_ID)
                        .build();
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class, criteria::loadModel);
        String message = String.valueOf(e.getCause().getMessage());
        for (String pair :
                List.of(
                        "(NDList, NDList)",
                        "(MoTSequence, MoTScore)",
                        "(String, String)",
                        "(String, Image)",
                        "(Image, String)")) {
            assertTrue(message.contains(pair), message);
        }
    }

    /**
     * Packaged in a jar, an artifact is extracted into the cache (DJL checks each file's sha1Hash);
     * every load verifies sha256; a damaged cached copy is extracted again; a damaged jar fails.
     */
    @Test
    void bundledInAJarArtifactsAreExtractedVerifiedAndRepaired() throws Exception {
        Path jar = tmp.resolve("zoo.jar");
        writeRepositoryJar(jar, null);
        Path cache = tmp.resolve("cache");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            MoTModelZoo zoo = new MoTModelZoo(loader, cache);
            Criteria<NDList, NDList> criteria =
                    bundled().optModelZoo(zoo).optFilter("architecture", "dense").build();
            Path extracted;
            try (ZooModel<NDList, NDList> model = criteria.loadModel()) {
                extracted = model.getModelPath();
                assertTrue(extracted.startsWith(cache), extracted.toString());
                assertTrue(Files.isRegularFile(extracted.resolve("model.safetensors")));
            }
            Tiny.flipByteNearEnd(extracted.resolve("model.safetensors"));
            try (ZooModel<NDList, NDList> model = criteria.loadModel()) {
                assertEquals(DENSE, model.getName());
            }
            assertEquals(
                    Checksums.sha256(repositoryFile("0.1.0/" + DENSE + "/model.safetensors")),
                    Checksums.sha256(extracted.resolve("model.safetensors")),
                    "the damaged copy was replaced");
        }

        Path bad = tmp.resolve("bad.jar");
        writeRepositoryJar(bad, "0.1.0/" + DENSE + "/model.safetensors");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {bad.toUri().toURL()}, null)) {
            MoTModelZoo zoo = new MoTModelZoo(loader, tmp.resolve("cache2"));
            Criteria<NDList, NDList> criteria =
                    bundled().optModelZoo(zoo).optFilter("architecture", "dense").build();
            IOException e = assertThrows(IOException.class, criteria::loadModel);
            assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
        }
    }

    /** DJL's own LocalRepository and BaseModelLoader read the repository metadata as it is. */
    @Test
    void djlsOwnLoaderReadsTheRepository() throws Exception {
        // DJL copies the artifact into its cache once; start from a fresh copy
        MoTCheckpointWriter.deleteTree(
                ai.djl.util.Utils.getCacheDir().resolve("cache/repo/model/undefined/io/motdjl"));
        Criteria<NDList, NDList> criteria =
                Criteria.builder()
                        .setTypes(NDList.class, NDList.class)
                        .optModelUrls(repositoryRoot().toUri().toString())
                        .optArtifactId(MoTModelZoo.CHAMELEON_FMNIST)
                        .optFilter("architecture", "dense")
                        .build();
        try (ZooModel<NDList, NDList> model = criteria.loadModel()) {
            assertInstanceOf(MoTModel.class, model.getBlock());
            assertEquals(Untie.NONE, ((MoTModel) model.getBlock()).config().untie());
        }
    }

    private static Map<String, NDArray> recorded(String name, NDManager manager)
            throws IOException {
        URL url = BundledZooTest.class.getResource("recorded/" + name + ".safetensors");
        assertNotNull(url, "no recorded outputs for " + name);
        try (InputStream in = url.openStream()) {
            return SafetensorsFile.decode(in.readAllBytes(), name, manager);
        }
    }

    private static void assertClose(NDArray want, NDArray got, double tolerance, String what) {
        assertEquals(want.getShape(), got.getShape(), what);
        double diff = Tiny.maxAbsDiff(want, got);
        assertTrue(diff <= tolerance, what + ": max |difference| " + diff);
    }

    /** The bundled repository as files (the test class path is a directory). */
    private static Path repositoryRoot() throws Exception {
        URL url = MoTModelZoo.class.getClassLoader().getResource(MoTModelZoo.REPOSITORY_RESOURCE);
        assertNotNull(url);
        return Paths.get(url.toURI());
    }

    private static Path repositoryFile(String relative) throws Exception {
        return ZooRepositoryWriter.familyDirectory(
                        repositoryRoot(), MoTModelZoo.GROUP_ID, MoTModelZoo.CHAMELEON_FMNIST)
                .resolve(relative);
    }

    /**
     * A jar holding the bundled repository; {@code damage} (relative to the family) gets a flipped
     * byte.
     */
    private static void writeRepositoryJar(Path jar, String damage) throws Exception {
        Path root = repositoryRoot();
        Path damaged = damage == null ? null : repositoryFile(damage);
        try (OutputStream os = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(os);
                Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name =
                        MoTModelZoo.REPOSITORY_RESOURCE
                                + root.relativize(file).toString().replace('\\', '/');
                out.putNextEntry(new JarEntry(name));
                byte[] bytes = Files.readAllBytes(file);
                if (file.equals(damaged)) {
                    bytes[bytes.length - 5] ^= 0x10;
                }
                out.write(bytes);
                out.closeEntry();
            }
        }
    }
}
