package io.motdjl.examples.speech;

import io.motdjl.examples.chameleon.CaptionTemplates;
import io.motdjl.examples.chameleon.FashionMnist;
import io.motdjl.util.Seeds;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * What the spoken-caption corpus holds: every voice says every class in every caption template a
 * few times, each time with its own seeded speed and pitch.
 *
 * <ul>
 *   <li>Training voices (8): flite kal16, slt, rms and espeak-ng en-us+m3, en-us+f2, en-gb+m1,
 *       en-gb-x-rp+f4, en-029+m5; {@value #TRAIN_VOICE_DRAWS} prosody draws per caption.
 *   <li>Held-out voices (3): flite awb, espeak-ng en-gb-scotland+f5, en-us-nyc+m7; {@value
 *       #HELD_OUT_VOICE_DRAWS} draws per caption.
 *   <li>Six templates; the last ("a close-up of {a} {}") is never trained on.
 *   <li>Prosody: flite {@code duration_stretch} 0.85 to 1.15 and {@code int_f0_target_mean} 80 % to
 *       120 % of the voice's centre (rms: speed only, it ignores F0 settings); espeak-ng {@code -p}
 *       30 to 70 and {@code -s} 140 to 190 words per minute; all uniform on integer steps.
 * </ul>
 *
 * <p>An utterance's prosody is a function of the seed and of its voice, template, class and draw
 * alone (not of its position in the list), so that any subset of the plan synthesises exactly as in
 * the whole.
 */
public final class CorpusPlan {

    /** The voices, training voices first. */
    public static final List<Voice> VOICES =
            List.of(
                    Voice.flite("kal16", false, 96),
                    Voice.flite("slt", false, 168),
                    Voice.fliteSpeedOnly("rms", false),
                    Voice.espeak("en-us+m3", false),
                    Voice.espeak("en-us+f2", false),
                    Voice.espeak("en-gb+m1", false),
                    Voice.espeak("en-gb-x-rp+f4", false),
                    Voice.espeak("en-029+m5", false),
                    Voice.flite("awb", true, 129),
                    Voice.espeak("en-gb-scotland+f5", true),
                    Voice.espeak("en-us-nyc+m7", true));

    /** Caption templates ({@link CaptionTemplates#fill}: {@code {a}} article, {@code {}} name). */
    public static final List<String> TEMPLATES =
            List.of(
                    "{a} {}",
                    "a photo of {a} {}",
                    "a picture of {a} {}",
                    "an image of {a} {}",
                    "this is {a} {}",
                    "a close-up of {a} {}");

    /** Index of the template no training utterance uses. */
    public static final int HELD_OUT_TEMPLATE = 5;

    /**
     * How each class is said, in label order. Fashion-MNIST's "T-shirt/top" would be read with its
     * slash ("t-shirt slash top"); "Trouser" becomes the natural "pair of trousers".
     */
    public static final List<String> CLASS_PHRASES =
            List.of(
                    "t-shirt or top",
                    "pair of trousers",
                    "pullover",
                    "dress",
                    "coat",
                    "sandal",
                    "shirt",
                    "sneaker",
                    "bag",
                    "ankle boot");

    /** Prosody draws per caption for a training voice. */
    public static final int TRAIN_VOICE_DRAWS = 5;

    /** Prosody draws per caption for a held-out voice. */
    public static final int HELD_OUT_VOICE_DRAWS = 3;

    /** The default seed of the prosody draws. */
    public static final long DEFAULT_SEED = 0;

    private static final long STRETCH_STREAM = 0x44555253L; // "DURS"
    private static final long F0_STREAM = 0x46304D4EL; // "F0MN"
    private static final long PITCH_STREAM = 0x50544348L; // "PTCH"
    private static final long SPEED_STREAM = 0x53504544L; // "SPED"

    private CorpusPlan() {}

    /** Every utterance of the corpus in its file order: by voice, template, class, draw. */
    public static List<UtteranceSpec> utterances(long seed) {
        List<UtteranceSpec> all = new ArrayList<>();
        for (int v = 0; v < VOICES.size(); v++) {
            Voice voice = VOICES.get(v);
            int draws = voice.heldOut() ? HELD_OUT_VOICE_DRAWS : TRAIN_VOICE_DRAWS;
            for (int t = 0; t < TEMPLATES.size(); t++) {
                for (int label = 0; label < FashionMnist.NUM_CLASSES; label++) {
                    for (int d = 0; d < draws; d++) {
                        all.add(utterance(seed, v, t, label, d));
                    }
                }
            }
        }
        return List.copyOf(all);
    }

    /** The spoken caption for a template and a class, e.g. "an image of an ankle boot". */
    public static String text(int template, int label) {
        return CaptionTemplates.fill(TEMPLATES.get(template), CLASS_PHRASES.get(label));
    }

    /** The split of a voice's utterance of a template. */
    public static Split split(Voice voice, int template) {
        if (voice.heldOut()) {
            return Split.HELDOUT_VOICE;
        }
        return template == HELD_OUT_TEMPLATE ? Split.HELDOUT_UTTERANCE : Split.TRAIN;
    }

    private static UtteranceSpec utterance(
            long seed, int voiceIndex, int template, int label, int draw) {
        Voice voice = VOICES.get(voiceIndex);
        // one key per (voice, template, class, draw) of the whole grid
        long key =
                ((long) (voiceIndex * TEMPLATES.size() + template) * FashionMnist.NUM_CLASSES
                                        + label)
                                * TRAIN_VOICE_DRAWS
                        + draw;
        String id =
                (voice.engine() == Engine.FLITE ? "flite" : "espeak")
                        + "_"
                        + voice.name()
                        + "_t"
                        + template
                        + "_c"
                        + label
                        + "_d"
                        + draw;
        return new UtteranceSpec(
                id,
                text(template, label),
                label,
                voice.engine(),
                voice.name(),
                template,
                draw,
                prosody(seed, voice, key),
                split(voice, template));
    }

    private static Prosody prosody(long seed, Voice voice, long key) {
        if (voice.engine() == Engine.ESPEAK_NG) {
            return new Prosody.Espeak(
                    30 + Seeds.choose(seed, PITCH_STREAM, key, 41),
                    140 + Seeds.choose(seed, SPEED_STREAM, key, 51));
        }
        double stretch = (85 + Seeds.choose(seed, STRETCH_STREAM, key, 31)) / 100.0;
        OptionalInt f0 = OptionalInt.empty();
        if (voice.f0Centre().isPresent()) {
            int percent = 80 + Seeds.choose(seed, F0_STREAM, key, 41);
            f0 = OptionalInt.of((voice.f0Centre().getAsInt() * percent + 50) / 100);
        }
        return new Prosody.Flite(stretch, f0);
    }
}
