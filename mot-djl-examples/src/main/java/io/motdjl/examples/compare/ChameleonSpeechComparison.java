package io.motdjl.examples.compare;

import ai.djl.translate.TranslateException;

import com.google.gson.JsonArray;

import io.motdjl.config.MoTConfig;
import io.motdjl.config.NormOrder;
import io.motdjl.config.Untie;
import io.motdjl.data.TokenSequenceDataset;
import io.motdjl.examples.chameleon.ChameleonSpeechData;
import io.motdjl.examples.chameleon.FashionMnist;
import io.motdjl.examples.speech.SpokenCaptions;
import io.motdjl.speech.SpeechUnitTokenizer;
import io.motdjl.speech.SpeechUnitTrainer;
import io.motdjl.tokenize.PatchKMeansTrainer;
import io.motdjl.train.RunOptions;
import io.motdjl.train.TrainingRun;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The paper's Chameleon + speech setting in miniature: Fashion-MNIST images as discrete codes,
 * their captions, and spoken captions as speech units, three modalities in one sequence under the
 * next-token loss. A dense model, the three-tower MoT and (if asked) the paper's section 4
 * two-tower variants train on the same data order for the same steps at equal FLOPs per token;
 * held-out curves: caption text and image codes (held-out images), and speech on held-out
 * utterances of the training voices and on held-out voices.
 *
 * <p>It is {@link ChameleonComparison} with a speech modality: the same image tokenizer, model
 * config, recipe, curve training and report. Generated-image quality is not measured here.
 */
public final class ChameleonSpeechComparison {

    /** The held-out curves, in order. */
    public static final List<String> CURVES =
            List.of("text", "image", "speech (held-out utterances)", "speech (held-out voices)");

    private static final Logger logger = LoggerFactory.getLogger(ChameleonSpeechComparison.class);

    private final ComparisonSettings settings;
    private NormOrder normOrder = NormOrder.POST;
    private boolean qkNorm = true;
    private int imagePatch = PatchKMeansTrainer.Options.DEFAULT_PATCH_SIZE;
    private int speechUnits = SpeechUnitTrainer.Options.DEFAULT_UNITS;
    private ChameleonSpeechData.Mix mix = ChameleonSpeechData.Mix.DEFAULT;
    private List<Architecture> architectures = List.of(Architecture.DENSE, Architecture.MOT);

    /**
     * A comparison with these knobs.
     *
     * @throws IllegalArgumentException if they ask for prose (this setting has none)
     */
    public ChameleonSpeechComparison(ComparisonSettings settings) {
        if (settings.hasProse()) {
            throw new IllegalArgumentException(
                    "the Chameleon + speech comparison has no prose: use --prose 0 (got "
                            + settings.proseFraction()
                            + ")");
        }
        this.settings = settings;
    }

    /** Every model with this norm order and with or without QK-norm (default post, QK-norm). */
    public ChameleonSpeechComparison withArchitecture(NormOrder order, boolean withQkNorm) {
        this.normOrder = Objects.requireNonNull(order, "order");
        this.qkNorm = withQkNorm;
        return this;
    }

    /**
     * Images tokenized in {@code side × side} patches (default 4: 49 codes per image).
     *
     * @throws IllegalArgumentException if {@code side} does not divide 28
     */
    public ChameleonSpeechComparison withImagePatch(int side) {
        this.imagePatch = ChameleonComparison.checkImagePatch(side);
        return this;
    }

    /**
     * The number of speech units U (default 256), learned on the training split's frames.
     *
     * @throws IllegalArgumentException if {@code units} is not in {@code [1, 65536]}
     */
    public ChameleonSpeechComparison withSpeechUnits(int units) {
        if (units < 1 || units > SpeechUnitTokenizer.MAX_UNITS) {
            throw new IllegalArgumentException(
                    "--speech-units must lie in [1, "
                            + SpeechUnitTokenizer.MAX_UNITS
                            + "], got "
                            + units);
        }
        this.speechUnits = units;
        return this;
    }

    /** The shares of the training pairs (default {@link ChameleonSpeechData.Mix#DEFAULT}). */
    public ChameleonSpeechComparison withMix(ChameleonSpeechData.Mix value) {
        this.mix = Objects.requireNonNull(value, "mix");
        return this;
    }

    /**
     * The models to train (default dense and MoT), dense first, all of {@link
     * Architecture#SPEECH_SETTING}.
     *
     * @throws IllegalArgumentException for another architecture, without dense or alone
     */
    public ChameleonSpeechComparison withArchitectures(List<Architecture> which) {
        Architecture.requireAmong(which, Architecture.SPEECH_SETTING, "chameleon-speech");
        this.architectures = Architecture.ordered(which);
        return this;
    }

    /** Runs the whole comparison: data, tokenizers, every model's training, the report. */
    public ChameleonComparison.Outcome run() throws IOException, TranslateException {
        FashionMnist.Split split = ChameleonComparison.splitImages(settings);
        ChameleonComparison.ImageCodebook codebook =
                ChameleonComparison.ImageCodebook.train(split, imagePatch, settings.seed());
        SpokenCaptions corpus = SpokenCaptions.bundled();
        SpeechUnitTrainer.Result speech =
                ChameleonSpeechData.trainSpeechUnits(corpus, speechUnits, settings.seed());
        logger.info("speech units on the training frames: {}", speech.report());
        ChameleonSpeechData data =
                ChameleonSpeechData.build(
                        split,
                        codebook.tokenizer(),
                        corpus,
                        speech.tokenizer(),
                        ChameleonSpeechData.Options.defaults(settings.seed())
                                .withBatchSize(settings.batchSize())
                                .withMix(mix));
        HeldOutScorer scorer = HeldOutScorer.of(data, settings.seed());
        MoTConfig base =
                data.applyTo(
                                ChameleonComparison.baseConfig(
                                        settings,
                                        normOrder,
                                        qkNorm,
                                        ChameleonSpeechData.MODALITIES.size()))
                        .build();
        RunOptions options =
                RunOptions.builder()
                        .modalityNames(ChameleonSpeechData.MODALITIES)
                        .logEvery(Math.max(1, settings.evaluateEvery()))
                        .build();
        List<LossCurve> curves = new ArrayList<>();
        List<CurveTraining.Trained> trained = new ArrayList<>();
        for (Architecture a : architectures) {
            LossCurve curve = new LossCurve(a.label());
            trained.add(
                    CurveTraining.train(
                            a,
                            a.configure(base),
                            ChameleonComparison.recipe(settings),
                            data.train(),
                            options,
                            settings.evaluateEvery(),
                            scorer,
                            curve,
                            null));
            curves.add(curve);
        }
        String title =
                String.format(
                        Locale.ROOT,
                        "Chameleon + speech setting, Fashion-MNIST + spoken captions: d=%d, %d"
                                + " layers, %d steps x %d seqs",
                        settings.dim(),
                        settings.layers(),
                        settings.steps(),
                        settings.batchSize());
        ComparisonReport report =
                ChameleonComparison.describeSettings(
                                new ComparisonReport(title, ReportPanel.losses(CURVES), curves),
                                settings,
                                architectures,
                                base)
                        .setting("setting", "chameleon-speech")
                        .setting(
                                "data",
                                settings.dataDir() == null
                                        ? "bundled Fashion-MNIST test split"
                                        : settings.dataDir().toString())
                        .setting("train_images", split.train().size())
                        .setting("heldout_images", split.heldOut().size())
                        .setting("speech_corpus", "bundled spoken captions (" + corpus.size() + ")")
                        .setting("speech_units", speechUnits)
                        .setting("speech_units_train_mse", speech.report().meanSquaredError())
                        .setting("mix_caption_image", mix.captionImage())
                        .setting("mix_speech_text", mix.speechText())
                        .setting("mix_speech_image", mix.speechImage())
                        .setting("train_sequences", data.train().size())
                        .setting("heldout_caption_image_scored", scorer.captionsAndImages().size())
                        .setting("heldout_utterance_sequences", scorer.utterances().size())
                        .setting("heldout_voice_sequences", scorer.voices().size())
                        .setting("image_quality", "not measured in this setting")
                        .setting("vocab_size", base.vocabSize())
                        .setting("max_seq_len", base.maxSeqLen());
        codebook.describe(report, imagePatch);
        for (CurveTraining.Trained t : trained) {
            CurveTraining.describe(report, t, base.maxSeqLen());
            report.detail(t.architecture().label(), "towers", towers(t.config()));
        }
        return new ChameleonComparison.Outcome(report, codebook.quality(), List.copyOf(trained));
    }

    /** The parameter set of each modality: all zeros for dense (one shared set). */
    private static JsonArray towers(MoTConfig config) {
        JsonArray out = new JsonArray();
        for (int t : config.towersFor(!config.untie().equals(Untie.NONE))) {
            out.add(t);
        }
        return out;
    }

    /**
     * Text and image codes of held-out images; speech of held-out utterances and of held-out voices
     * (each a fixed, seeded sample).
     */
    private record HeldOutScorer(
            TokenSequenceDataset captionsAndImages,
            TokenSequenceDataset utterances,
            TokenSequenceDataset voices)
            implements CurveTraining.Scorer {

        static HeldOutScorer of(ChameleonSpeechData data, long seed) {
            int most = ChameleonComparison.EVALUATED_PER_SET;
            return new HeldOutScorer(
                    ChameleonComparison.sample(data.heldOutCaptionsAndImages(), most, seed),
                    ChameleonComparison.sample(data.heldOutUtterances(), most, seed + 1),
                    ChameleonComparison.sample(data.heldOutVoices(), most, seed + 2));
        }

        @Override
        public double[] score(TrainingRun run) throws IOException, TranslateException {
            int batch = ChameleonComparison.EVALUATION_BATCH;
            double[] captionsAndImagesLoss = run.evaluate(captionsAndImages, batch).means();
            return new double[] {
                captionsAndImagesLoss[0],
                captionsAndImagesLoss[1],
                run.evaluate(utterances, batch).means()[2],
                run.evaluate(voices, batch).means()[2]
            };
        }

        @Override
        public String describe(double[] losses) {
            return String.format(
                    Locale.ROOT,
                    "text %.4f, image %.4f, speech %.4f (held-out utterances), %.4f (held-out"
                            + " voices)",
                    losses[0],
                    losses[1],
                    losses[2],
                    losses[3]);
        }
    }
}
