package io.motdjl.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.inference.Predictor;
import ai.djl.modality.audio.Audio;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.motdjl.config.MoTConfig;
import io.motdjl.generate.ChameleonSpeechGenerator;
import io.motdjl.generate.SamplingSettings;
import io.motdjl.nn.MoTModel;
import io.motdjl.speech.SpeechUnitTokenizer;
import io.motdjl.tokenize.JointVocabulary;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The bundled Chameleon + speech models ({@value MoTModelZoo#CHAMELEON_SPEECH_FMNIST}) through
 * DJL's {@link Criteria}: both load with their two tokenizers, transcribe recorded held-out-voice
 * utterances exactly as the trained models did when they were published, speak a caption as audio
 * that transcribes back, and draw an image for a caption.
 */
class SpeechZooTest {

    private static <I, O> Criteria<I, O> bundled(
            Class<I> input, Class<O> output, String architecture) {
        return Criteria.builder()
                .setTypes(input, output)
                .optGroupId(MoTModelZoo.GROUP_ID)
                .optArtifactId(MoTModelZoo.CHAMELEON_SPEECH_FMNIST)
                .optFilter("architecture", architecture)
                .build();
    }

    private static JsonObject recorded() throws Exception {
        try (InputStream in =
                SpeechZooTest.class.getResourceAsStream(
                        "recorded/" + MoTModelZoo.CHAMELEON_SPEECH_FMNIST + ".json")) {
            assertNotNull(in, "no recorded transcripts");
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .getAsJsonObject();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mot", "dense"})
    void transcribesTheRecordedUtterancesAsWhenPublished(String architecture) throws Exception {
        JsonObject recorded = recorded();
        int maxTokens = recorded.get("max_tokens").getAsInt();
        List<int[]> utterances = new ArrayList<>();
        List<String> want = new ArrayList<>();
        Set<String> texts = new HashSet<>();
        for (JsonElement e : recorded.getAsJsonArray("utterances")) {
            JsonArray units = e.getAsJsonObject().getAsJsonArray("units");
            int[] u = new int[units.size()];
            for (int i = 0; i < u.length; i++) {
                u[i] = units.get(i).getAsInt();
            }
            utterances.add(u);
            want.add(e.getAsJsonObject().get(architecture).getAsString());
            texts.add(e.getAsJsonObject().get("text").getAsString());
        }
        // different captions: a model that transcribes every utterance alike cannot pass
        assertEquals(utterances.size(), texts.size(), "recorded captions: " + texts);
        assertTrue(utterances.size() >= 5, "recorded utterances: " + utterances.size());
        try (ZooModel<Audio, String> model =
                        bundled(Audio.class, String.class, architecture).loadModel();
                NDManager manager = model.getNDManager().newSubManager()) {
            assertInstanceOf(SpeechToCaptionTranslator.class, model.getTranslator());
            MoTModel block = (MoTModel) model.getBlock();
            MoTConfig config = block.config();
            assertEquals(3, config.nModalities());
            assertEquals(architecture.equals("mot"), config.untie().ffn());
            SpeechUnitTokenizer speech = MoTCheckpoint.speechTokenizer(model).orElseThrow();
            assertEquals(JointVocabulary.of(config).speechUnits(), speech.unitCount());
            ChameleonSpeechGenerator generator =
                    SpeechToCaptionTranslator.transcriber(
                            block,
                            manager,
                            MoTCheckpoint.imageTokenizer(model).orElseThrow().codesPerImage());
            assertEquals(
                    want,
                    generator.speechToCaptions(utterances, SamplingSettings.greedy(), maxTokens));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mot", "dense"})
    void speaksACaptionAndTranscribesItsAudio(String architecture) throws Exception {
        try (ZooModel<String, Audio> speaker =
                        bundled(String.class, Audio.class, architecture).loadModel();
                ZooModel<Audio, String> listener =
                        bundled(Audio.class, String.class, architecture).loadModel();
                ZooModel<String, Image> drawer =
                        bundled(String.class, Image.class, architecture).loadModel();
                Predictor<String, Audio> speak = speaker.newPredictor();
                Predictor<Audio, String> listen = listener.newPredictor();
                Predictor<String, Image> draw = drawer.newPredictor()) {
            Audio audio = speak.predict("a photo of a sneaker");
            assertEquals(1, audio.getChannels());
            assertEquals(16_000, audio.getSampleRate(), 0f);
            assertTrue(audio.getData().length > 1_600, "at least 0.1 s: " + audio.getData().length);
            assertArrayEquals(
                    audio.getData(),
                    speak.predict("a photo of a sneaker").getData(),
                    "greedy: the same audio again");
            String caption = listen.predict(audio);
            assertNotNull(caption);
            assertEquals(caption, listen.predict(audio), "greedy: the same transcript again");
            Image image = draw.predict("a photo of a sneaker");
            assertEquals(28, image.getWidth());
            assertEquals(28, image.getHeight());
        }
    }
}
