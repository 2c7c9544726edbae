package io.motdjl.examples.cli;

import static io.motdjl.examples.cli.InProcessCli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.motdjl.examples.cli.InProcessCli.Run;
import io.motdjl.examples.zoo.TrainSpeechZooModels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** {@code mot zoo}: in-process, through the command line's entry point. */
class ZooCommandTest {

    @Test
    void listShowsEveryBundledModel() {
        Run r = run("zoo", "list");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("io.motdjl.mot"), r.out());
        assertTrue(r.out().contains("6 models"), r.out());
        assertEquals(
                2,
                r.out().lines().filter(l -> l.startsWith("transfusion-fmnist ")).count(),
                r.out());
        assertTrue(r.out().contains("mot-d64-l2") && r.out().contains("dense-d64-l2"), r.out());
        assertTrue(r.out().contains("the diffusion noise MSE (transfusion-*)"), r.out());
        assertTrue(
                r.out().contains("architecture=mot") && r.out().contains("architecture=dense"),
                r.out());
    }

    @Test
    void verifyLoadsEveryModel() {
        Run r = run("zoo", "verify");
        assertEquals(0, r.status(), r.err());
        assertEquals(6, r.out().lines().filter(l -> l.startsWith("ok  ")).count(), r.out());
        assertTrue(r.out().contains("ok  chameleon-speech-fmnist/mot-d64-l2"), r.out());
        assertTrue(r.out().contains("ok  transfusion-fmnist/mot-d64-l2"), r.out());
    }

    @Test
    void wrongSubcommandsAreUsageErrors() {
        Run none = run("zoo");
        assertEquals(2, none.status());
        assertTrue(none.err().contains("list, verify or train"), none.err());
        Run bad = run("zoo", "frobnicate");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("unknown zoo subcommand 'frobnicate'"), bad.err());
        Run stray = run("zoo", "list", "--all");
        assertEquals(2, stray.status());
        Run noOut = run("zoo", "train");
        assertEquals(2, noOut.status());
        assertTrue(noOut.err().contains("missing option --out"), noOut.err());
    }

    @Test
    void trainPublishesTheTransfusionModelsWithTheCommandInTheirCards(@TempDir Path tmp)
            throws Exception {
        Path repository = tmp.resolve("repo");
        Run r =
                run(
                        "zoo",
                        "train",
                        "--out",
                        repository.toString(),
                        "--setting",
                        "transfusion",
                        "--steps",
                        "2");
        assertEquals(0, r.status(), r.err());
        assertEquals(2, r.out().lines().filter(l -> l.contains("held-out")).count(), r.out());
        try (var files = Files.walk(repository)) {
            List<Path> cards =
                    files.filter(f -> f.getFileName().toString().equals("model-card.json"))
                            .toList();
            assertEquals(2, cards.size(), cards.toString());
            for (Path card : cards) {
                assertTrue(card.toString().contains("transfusion-fmnist"), card.toString());
                assertTrue(
                        Files.readString(card)
                                .contains(
                                        "bin/mot zoo train --out "
                                                + repository
                                                + " --setting transfusion --steps 2"),
                        card.toString());
            }
        }
        Run recorded =
                run(
                        "zoo",
                        "train",
                        "--out",
                        repository.toString(),
                        "--setting",
                        "transfusion",
                        "--recorded",
                        tmp.toString());
        assertEquals(2, recorded.status());
        assertTrue(recorded.err().contains("Chameleon settings only"), recorded.err());
    }

    @Test
    void trainPublishesTheSpeechModelsAndRecordsTheirTranscripts(@TempDir Path tmp)
            throws Exception {
        Path repository = tmp.resolve("repo");
        Path recorded = tmp.resolve("recorded");
        Run r =
                run(
                        "zoo",
                        "train",
                        "--out",
                        repository.toString(),
                        "--setting",
                        "chameleon-speech",
                        "--recorded",
                        recorded.toString(),
                        "--steps",
                        "2");
        assertEquals(0, r.status(), r.err());
        assertEquals(2, r.out().lines().filter(l -> l.contains("held-out")).count(), r.out());
        try (var files = Files.walk(repository)) {
            List<Path> tokenizers =
                    files.filter(f -> f.getFileName().toString().equals("speech-tokenizer.json"))
                            .toList();
            assertEquals(2, tokenizers.size(), tokenizers.toString());
            for (Path t : tokenizers) {
                assertTrue(t.toString().contains("chameleon-speech-fmnist"), t.toString());
            }
        }
        JsonObject transcripts =
                JsonParser.parseString(
                                Files.readString(
                                        recorded.resolve(TrainSpeechZooModels.RECORDED_FILE)))
                        .getAsJsonObject();
        JsonArray utterances = transcripts.getAsJsonArray("utterances");
        assertEquals(TrainSpeechZooModels.RECORDED_UTTERANCES, utterances.size());
        Set<String> texts = new HashSet<>();
        for (var u : utterances) {
            JsonObject o = u.getAsJsonObject();
            assertTrue(texts.add(o.get("text").getAsString()), "a caption twice: " + o);
            assertTrue(o.getAsJsonArray("units").size() > 0, o.toString());
            assertTrue(o.has("mot") && o.has("dense"), o.toString());
        }
    }

    @Test
    void helpListsTheZooCommand() {
        Run r = run("help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("zoo list"), r.out());
    }
}
