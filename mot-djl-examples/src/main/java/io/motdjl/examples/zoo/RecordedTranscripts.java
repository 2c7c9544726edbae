package io.motdjl.examples.zoo;

import ai.djl.ndarray.NDManager;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import io.motdjl.examples.speech.Split;
import io.motdjl.examples.speech.Utterance;
import io.motdjl.generate.ChameleonSpeechGenerator;
import io.motdjl.generate.SamplingSettings;
import io.motdjl.io.AtomicFiles;
import io.motdjl.nn.MoTModel;
import io.motdjl.zoo.MoTCheckpoint;
import io.motdjl.zoo.SpeechToCaptionTranslator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The greedy transcripts each bundled speech model gives for a few held-out-voice utterances. The
 * utterances are given as speech units (as the bundled speech tokenizer encodes them) and the file
 * is written beside the zoo's tests, so that the published artifact is checked to transcribe
 * exactly as the trained model did:
 *
 * <pre>
 * {"max_tokens": 64, "utterances": [{"text": ..., "units": [...], "mot": ..., "dense": ...}]}
 * </pre>
 */
final class RecordedTranscripts {

    /** The caption length the transcripts are cut to, as the zoo translator's default. */
    static final int MAX_TOKENS = 64;

    private final List<int[]> units = new ArrayList<>();
    private final JsonArray utterances = new JsonArray();
    private final int codesPerImage;

    private RecordedTranscripts(int codesPerImage) {
        this.codesPerImage = codesPerImage;
    }

    /**
     * The first {@code count} held-out-voice utterances of the recipe's corpus with distinct texts,
     * as units: different captions, so that a model that transcribes everything alike is caught.
     */
    static RecordedTranscripts of(TrainSpeechCheckpoint.Prepared prepared, int count) {
        RecordedTranscripts r = new RecordedTranscripts(prepared.imageTokenizer().codesPerImage());
        Set<String> texts = new HashSet<>();
        for (Utterance u : prepared.corpus().utterances(Split.HELDOUT_VOICE)) {
            if (r.units.size() == count) {
                break;
            }
            if (!texts.add(u.text())) {
                continue;
            }
            r.units.add(prepared.speechTokenizer().encodeMel(prepared.corpus().frames(u)));
            JsonObject o = new JsonObject();
            o.addProperty("text", u.text());
            JsonArray unitArray = new JsonArray();
            for (int unit : r.units.get(r.units.size() - 1)) {
                unitArray.add(unit);
            }
            o.add("units", unitArray);
            r.utterances.add(o);
        }
        if (r.units.size() < count) {
            throw new IllegalStateException(
                    "the corpus's held-out voices say "
                            + r.units.size()
                            + " distinct caption(s); "
                            + count
                            + " are recorded");
        }
        return r;
    }

    /** Adds the greedy transcripts of the model in {@code checkpoint} under {@code key}. */
    void transcribe(String key, Path checkpoint) throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = MoTCheckpoint.load(checkpoint, manager);
            // the zoo's Audio -> String translator's own generator
            ChameleonSpeechGenerator generator =
                    SpeechToCaptionTranslator.transcriber(model, manager, codesPerImage);
            List<String> captions =
                    generator.speechToCaptions(units, SamplingSettings.greedy(), MAX_TOKENS);
            for (int i = 0; i < captions.size(); i++) {
                utterances.get(i).getAsJsonObject().addProperty(key, captions.get(i));
            }
        }
    }

    /** Writes the file. */
    void write(Path file) throws IOException {
        JsonObject root = new JsonObject();
        root.addProperty("max_tokens", MAX_TOKENS);
        root.add("utterances", utterances);
        byte[] bytes =
                (new GsonBuilder().setPrettyPrinting().create().toJson(root) + "\n")
                        .getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, os -> os.write(bytes));
    }
}
