package io.motdjl.examples.speech;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

class SpeechCorpusBuilderTest {

    @TempDir Path dir;

    /** 2 voices (one per engine) x 2 classes x 1 template, first draw: 4 utterances. */
    private static List<UtteranceSpec> tinyPlan() {
        return CorpusPlan.utterances(CorpusPlan.DEFAULT_SEED).stream()
                .filter(u -> Set.of("kal16", "en-us+m3").contains(u.voice()))
                .filter(u -> u.label() == 0 || u.label() == 9)
                .filter(u -> u.template() == 1 && u.draw() == 0)
                .toList();
    }

    private static void assumeProgramsInstalled() {
        List<String> missing = SpeechSynthesizer.missingPrograms();
        Assumptions.assumeTrue(
                missing.isEmpty(),
                "needs "
                        + String.join(" and ", missing)
                        + " on the PATH; "
                        + SpeechSynthesizer.INSTALL_HINT);
    }

    @Test
    void rebuildsTheBundledFramesBitForBit() throws IOException {
        assumeProgramsInstalled();
        List<UtteranceSpec> plan = tinyPlan();
        assertEquals(4, plan.size());
        SpeechCorpusBuilder.Result result =
                SpeechCorpusBuilder.build(
                        plan, CorpusPlan.DEFAULT_SEED, SpeechSynthesizer.onPath(), null);
        SpokenCaptions built = result.corpus();
        SpokenCaptions bundled = BundledSpokenCaptions.get();
        Map<String, Utterance> byId =
                bundled.utterances().stream()
                        .collect(Collectors.toMap(Utterance::id, Function.identity()));
        for (Utterance u : built.utterances()) {
            Utterance shipped = byId.get(u.id());
            assertEquals(shipped.spec(), u.spec());
            assertEquals(shipped.samples(), u.samples(), u.id());
            assertArrayEquals(
                    bundled.quantizedFrames(shipped.index()),
                    built.quantizedFrames(u.index()),
                    u.id()
                            + ": the bundled corpus was not made by this generator with these"
                            + " programs ("
                            + bundled.provenance()
                            + ")");
        }
        assertEquals(0, result.clippedValues());
    }

    @Test
    void keepsTheWavFilesWhenAsked() throws IOException {
        assumeProgramsInstalled();
        List<UtteranceSpec> plan = tinyPlan().subList(0, 2);
        Path wavs = dir.resolve("wavs");
        SpeechCorpusBuilder.build(plan, 0, SpeechSynthesizer.onPath(), wavs);
        for (UtteranceSpec u : plan) {
            assertTrue(Files.size(wavs.resolve(u.id() + ".wav")) > 44, u.id());
        }
        try (var files = Files.list(wavs)) {
            assertEquals(2, files.count()); // no logs left behind
        }
        // a second run into the same, now non-empty, directory is refused
        FileSystemException e =
                assertThrows(
                        FileSystemException.class,
                        () -> SpeechCorpusBuilder.build(plan, 0, SpeechSynthesizer.onPath(), wavs));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
    }

    @Test
    void missingProgramsAreNamedWithTheInstallCommand() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("bin"));
        IOException e =
                assertThrows(IOException.class, () -> SpeechSynthesizer.onPath(empty.toString()));
        assertEquals(
                "flite and espeak-ng are not on the PATH; install Debian's flite and espeak-ng:"
                        + " apt-get install -y --no-install-recommends flite espeak-ng",
                e.getMessage());
        fakeProgram(empty, "flite", "exit 0");
        e = assertThrows(IOException.class, () -> SpeechSynthesizer.onPath(empty.toString()));
        assertTrue(e.getMessage().startsWith("espeak-ng is not on the PATH; install"));
    }

    @Test
    void commandLinesAndFailuresOfThePrograms() throws IOException {
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Path flite = fakeProgram(bin, "flite", "echo \"flite: can't find voice\" >&2; exit 3");
        Path espeak = fakeProgram(bin, "espeak-ng", "exit 0"); // writes no file
        SpeechSynthesizer synthesizer = SpeechSynthesizer.onPath(bin.toString());
        List<UtteranceSpec> plan = tinyPlan();
        UtteranceSpec fliteUtterance = plan.get(0);
        UtteranceSpec espeakUtterance = plan.get(plan.size() - 1);
        Path wav = dir.resolve("x.wav");
        Prosody.Flite p = (Prosody.Flite) fliteUtterance.prosody();
        assertEquals(
                List.of(
                        flite.toString(),
                        "-voice",
                        "kal16",
                        "--setf",
                        String.format(
                                java.util.Locale.ROOT,
                                "duration_stretch=%.2f",
                                p.durationStretch()),
                        "--setf",
                        "int_f0_target_mean=" + p.f0Mean().getAsInt(),
                        "-t",
                        "a photo of a t-shirt or top",
                        "-o",
                        wav.toString()),
                synthesizer.command(fliteUtterance, wav));
        Prosody.Espeak q = (Prosody.Espeak) espeakUtterance.prosody();
        assertEquals(
                List.of(
                        espeak.toString(),
                        "-v",
                        "en-us+m3",
                        "-p",
                        Integer.toString(q.pitch()),
                        "-s",
                        Integer.toString(q.speed()),
                        "-w",
                        wav.toString(),
                        "a photo of an ankle boot"),
                synthesizer.command(espeakUtterance, wav));
        IOException e =
                assertThrows(IOException.class, () -> synthesizer.synthesize(fliteUtterance, wav));
        assertTrue(e.getMessage().contains("failed with exit status 3"), e.getMessage());
        assertTrue(e.getMessage().endsWith("flite: can't find voice"), e.getMessage());
        e = assertThrows(IOException.class, () -> synthesizer.synthesize(espeakUtterance, wav));
        assertTrue(e.getMessage().contains("wrote no audio"), e.getMessage());
        try (var files = Files.list(dir)) {
            assertEquals(
                    Set.of("bin"),
                    files.map(f -> f.getFileName().toString())
                            .collect(Collectors.toSet())); // logs removed
        }
    }

    private static Path fakeProgram(Path bin, String name, String body) throws IOException {
        Path program = bin.resolve(name);
        Files.writeString(program, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        return program;
    }
}
