package io.motdjl.examples.chameleon;

import io.motdjl.config.MoTConfig;
import io.motdjl.data.InterleavedSequenceBuilder;
import io.motdjl.data.Pairing;
import io.motdjl.data.TokenSequence;
import io.motdjl.data.TokenSequenceDataset;
import io.motdjl.examples.speech.Split;
import io.motdjl.examples.speech.SpokenCaptions;
import io.motdjl.examples.speech.Utterance;
import io.motdjl.speech.SpeechUnitTokenizer;
import io.motdjl.speech.SpeechUnitTrainer;
import io.motdjl.tokenize.ImageTokenizer;
import io.motdjl.tokenize.JointVocabulary;
import io.motdjl.util.Seeds;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Everything the Chameleon + speech experiment trains on: Fashion-MNIST images as codes, their
 * captions, and the bundled spoken captions ({@link SpokenCaptions}) as speech units, over one
 * {@link JointVocabulary#withSpeech three-modality vocabulary}. Training sequences are a seeded mix
 * of three pairings, each in both directions equally often: caption ↔ image (the Chameleon
 * setting's), spoken caption ↔ its own words, and spoken caption ↔ an image of its class.
 *
 * <p>Only the corpus's training split is trained on; held-out voices and the held-out template are
 * scored on their own ({@link #heldOutUtterances()}, {@link #heldOutVoices()}), each utterance in
 * one of the four speech pairings in turn, with held-out images. Every choice follows from the
 * seed.
 */
public final class ChameleonSpeechData {

    /** Modality 0 holds captions and markers, 1 the image codes, 2 speech markers and units. */
    public static final List<String> MODALITIES = List.of("text", "image", "speech");

    private static final Logger logger = LoggerFactory.getLogger(ChameleonSpeechData.class);

    /** Held-out example keys start here, so that their seeded choices differ from training's. */
    private static final long HELD_OUT_KEYS = 1L << 32;

    private static final long STREAM_MIX = 0x4D4958L; // "MIX"
    private static final long STREAM_IMAGES = 0x494D47L; // "IMG"
    private static final long STREAM_UTTERANCES = 0x555454L; // "UTT"
    private static final long STREAM_CLASS_IMAGE = 0x434C53L; // "CLS"

    /** The held-out speech pairings, taken in turn: every direction equally often. */
    private static final List<Pairing> SPEECH_PAIRINGS =
            List.of(
                    Pairing.SPEECH_TO_CAPTION,
                    Pairing.CAPTION_TO_SPEECH,
                    Pairing.SPEECH_TO_IMAGE,
                    Pairing.IMAGE_TO_SPEECH);

    /** The three kinds of training pair, each laid out in both directions. */
    public enum PairKind {
        /** A caption and its image (the Chameleon setting's pairs). */
        CAPTION_IMAGE(Pairing.CAPTION_TO_IMAGE, Pairing.IMAGE_TO_CAPTION),
        /** A spoken caption and its own words. */
        SPEECH_TEXT(Pairing.SPEECH_TO_CAPTION, Pairing.CAPTION_TO_SPEECH),
        /** A spoken caption and an image of its class. */
        SPEECH_IMAGE(Pairing.SPEECH_TO_IMAGE, Pairing.IMAGE_TO_SPEECH);

        private final Pairing forward;
        private final Pairing backward;

        PairKind(Pairing forward, Pairing backward) {
            this.forward = forward;
            this.backward = backward;
        }

        /** The pairing of the {@code occurrence}-th pair of this kind: the directions alternate. */
        public Pairing pairing(int occurrence) {
            return occurrence % 2 == 0 ? forward : backward;
        }

        /** The kind of a pairing. */
        public static PairKind of(Pairing pairing) {
            for (PairKind k : values()) {
                if (k.forward == pairing || k.backward == pairing) {
                    return k;
                }
            }
            throw new IllegalArgumentException("no pair kind has " + pairing);
        }
    }

    /**
     * Shares of the training sequences per pair kind; they must be non-negative and sum to 1.
     *
     * @param captionImage caption ↔ image
     * @param speechText spoken caption ↔ its words
     * @param speechImage spoken caption ↔ an image of its class
     */
    public record Mix(double captionImage, double speechText, double speechImage) {

        /** Half caption ↔ image, a quarter each speech ↔ text and speech ↔ image. */
        public static final Mix DEFAULT = new Mix(0.5, 0.25, 0.25);

        /** Checks the shares. */
        public Mix {
            for (double share : new double[] {captionImage, speechText, speechImage}) {
                if (!(share >= 0 && share <= 1)) {
                    throw new IllegalArgumentException(
                            "mix shares must lie in [0, 1], got " + this);
                }
            }
            if (Math.abs(captionImage + speechText + speechImage - 1) > 1e-9) {
                throw new IllegalArgumentException("mix shares must sum to 1, got " + this);
            }
        }

        /** The share of {@code kind}. */
        public double share(PairKind kind) {
            return switch (kind) {
                case CAPTION_IMAGE -> captionImage;
                case SPEECH_TEXT -> speechText;
                case SPEECH_IMAGE -> speechImage;
            };
        }
    }

    /**
     * How the data is built.
     *
     * @param seed seed of the mix, the image and utterance orders, the caption templates, the
     *     images paired with speech and the shuffle
     * @param batchSize batch size of every dataset
     * @param mix shares of the pair kinds
     * @param captionTemplates caption templates of caption ↔ image pairs ({@link CaptionTemplates})
     * @param trainSequences training sequences; 0 means one per training image
     */
    public record Options(
            long seed, int batchSize, Mix mix, List<String> captionTemplates, int trainSequences) {

        /** Checks the values. */
        public Options {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
            }
            Objects.requireNonNull(mix, "mix");
            captionTemplates = List.copyOf(captionTemplates);
            if (trainSequences < 0) {
                throw new IllegalArgumentException(
                        "trainSequences must be 0 (one per image) or more, got " + trainSequences);
            }
        }

        /** Batches of 32, the default mix and templates, one training sequence per image. */
        public static Options defaults(long seed) {
            return new Options(seed, 32, Mix.DEFAULT, CaptionTemplates.DEFAULT_TEMPLATES, 0);
        }

        /** These options with batch size {@code value}. */
        public Options withBatchSize(int value) {
            return new Options(seed, value, mix, captionTemplates, trainSequences);
        }

        /** These options with mix {@code value}. */
        public Options withMix(Mix value) {
            return new Options(seed, batchSize, value, captionTemplates, trainSequences);
        }

        /** These options with {@code value} training sequences (0: one per training image). */
        public Options withTrainSequences(int value) {
            return new Options(seed, batchSize, mix, captionTemplates, value);
        }
    }

    /**
     * One sequence and what it was made of.
     *
     * @param pairing its layout
     * @param label the Fashion-MNIST class
     * @param image index of its image in its image set, or -1 without an image
     * @param utterance its utterance, or null without speech
     * @param sequence the tokens
     */
    public record Example(
            Pairing pairing, int label, int image, Utterance utterance, TokenSequence sequence) {}

    private final JointVocabulary vocabulary;
    private final List<Example> trainExamples;
    private final TokenSequenceDataset train;
    private final TokenSequenceDataset heldOutCaptionsAndImages;
    private final TokenSequenceDataset heldOutUtterances;
    private final TokenSequenceDataset heldOutVoices;

    private ChameleonSpeechData(
            JointVocabulary vocabulary,
            List<Example> trainExamples,
            List<TokenSequence> captionsAndImages,
            List<TokenSequence> utterances,
            List<TokenSequence> voices,
            Options options) {
        this.vocabulary = vocabulary;
        this.trainExamples = List.copyOf(trainExamples);
        this.train =
                TokenSequenceDataset.builder()
                        .setSequences(trainExamples.stream().map(Example::sequence).toList())
                        .optSeed(options.seed())
                        .setSampling(options.batchSize(), true)
                        .build();
        this.heldOutCaptionsAndImages = ordered(captionsAndImages, options.batchSize());
        this.heldOutUtterances = ordered(utterances, options.batchSize());
        this.heldOutVoices = ordered(voices, options.batchSize());
    }

    private static TokenSequenceDataset ordered(List<TokenSequence> sequences, int batchSize) {
        return TokenSequenceDataset.builder()
                .setSequences(sequences)
                .setSampling(batchSize, false)
                .build();
    }

    /**
     * Trains speech units on the log-mel frames of the corpus's training split only (k-means++, at
     * most 50 iterations).
     *
     * @param corpus the spoken captions
     * @param units the number of units U
     * @param seed the k-means seed
     * @return the tokenizer and its quantisation error on the training frames
     */
    public static SpeechUnitTrainer.Result trainSpeechUnits(
            SpokenCaptions corpus, int units, long seed) {
        return SpeechUnitTrainer.trainMel(
                corpus.frames(corpus.utterances(Split.TRAIN)),
                SpeechUnitTrainer.Options.defaults()
                        .withFrontEnd(corpus.frontEnd())
                        .withUnits(units)
                        .withSeed(seed));
    }

    /**
     * Builds the datasets.
     *
     * @param images training and held-out images; the held-out part must hold every class
     * @param imageTokenizer turns a 28×28 image into codes
     * @param corpus the spoken captions
     * @param speechTokenizer turns an utterance's log-mel frames into units
     * @param options seed, batch size, mix, templates, number of training sequences
     * @return the vocabulary, examples and datasets
     * @throws IllegalArgumentException if a class the speech pairs need has no image
     */
    public static ChameleonSpeechData build(
            FashionMnist.Split images,
            ImageTokenizer imageTokenizer,
            SpokenCaptions corpus,
            SpeechUnitTokenizer speechTokenizer,
            Options options) {
        long start = System.nanoTime();
        JointVocabulary vocabulary =
                JointVocabulary.withSpeech(
                        imageTokenizer.codebookSize(), speechTokenizer.unitCount());
        Maker maker =
                new Maker(
                        new InterleavedSequenceBuilder(vocabulary),
                        corpus,
                        speechTokenizer,
                        options);
        ImageSet train = ImageSet.of(images.train(), imageTokenizer);
        ImageSet heldOut = ImageSet.of(images.heldOut(), imageTokenizer);
        List<Example> trainExamples =
                maker.training(
                        train,
                        corpus.utterances(Split.TRAIN),
                        options.trainSequences() == 0
                                ? images.train().size()
                                : options.trainSequences());
        ChameleonSpeechData data =
                new ChameleonSpeechData(
                        vocabulary,
                        trainExamples,
                        maker.captionsAndImages(heldOut),
                        maker.speech(heldOut, corpus.utterances(Split.HELDOUT_UTTERANCE)),
                        maker.speech(heldOut, corpus.utterances(Split.HELDOUT_VOICE)),
                        options);
        logger.info(
                "Chameleon + speech data: {} training sequences, {} held-out caption-image, {}"
                        + " held-out-utterance and {} held-out-voice sequences (longest {}"
                        + " tokens), {} in {} ms",
                data.train.size(),
                data.heldOutCaptionsAndImages.size(),
                data.heldOutUtterances.size(),
                data.heldOutVoices.size(),
                data.maxSequenceLength(),
                vocabulary,
                (System.nanoTime() - start) / 1_000_000);
        return data;
    }

    /** An image set's codes and the indices of each class's images. */
    private record ImageSet(FashionMnist images, int[][] codes, List<List<Integer>> byClass) {

        static ImageSet of(FashionMnist images, ImageTokenizer tokenizer) {
            // encoding dominates the cost; images are independent and the tokenizer immutable
            int[][] codes =
                    IntStream.range(0, images.size())
                            .parallel()
                            .mapToObj(i -> tokenizer.encode(images.image(i)))
                            .toArray(int[][]::new);
            List<List<Integer>> byClass = new ArrayList<>();
            for (int c = 0; c < FashionMnist.NUM_CLASSES; c++) {
                byClass.add(new ArrayList<>());
            }
            for (int i = 0; i < images.size(); i++) {
                byClass.get(images.label(i)).add(i);
            }
            return new ImageSet(images, codes, byClass);
        }

        /** An image of class {@code label}, drawn for {@code key}. */
        int imageOf(int label, long seed, long key) {
            List<Integer> candidates = byClass.get(label);
            if (candidates.isEmpty()) {
                throw new IllegalArgumentException(
                        "no image of class "
                                + label
                                + " ("
                                + FashionMnist.className(label)
                                + ") to pair with a spoken caption among "
                                + images.size()
                                + " images");
            }
            return candidates.get(Seeds.choose(seed, STREAM_CLASS_IMAGE, key, candidates.size()));
        }
    }

    /** Lays out examples: which parts, in which order. */
    private static final class Maker {
        private final InterleavedSequenceBuilder builder;
        private final SpokenCaptions corpus;
        private final SpeechUnitTokenizer speechTokenizer;
        private final CaptionTemplates captions;
        private final Mix mix;
        private final long seed;
        private final Map<Integer, int[]> units = new HashMap<>();

        Maker(
                InterleavedSequenceBuilder builder,
                SpokenCaptions corpus,
                SpeechUnitTokenizer speechTokenizer,
                Options options) {
            this.builder = builder;
            this.corpus = corpus;
            this.speechTokenizer = speechTokenizer;
            this.captions = new CaptionTemplates(options.captionTemplates(), options.seed());
            this.mix = options.mix();
            this.seed = options.seed();
        }

        /** {@code count} training sequences: exact shares per kind, in a seeded order. */
        List<Example> training(ImageSet images, List<Utterance> utterances, int count) {
            List<PairKind> kinds = kinds(count);
            int[] imageOrder = Seeds.permutation(images.images().size(), seed, STREAM_IMAGES, 0);
            int[] utteranceOrder = Seeds.permutation(utterances.size(), seed, STREAM_UTTERANCES, 0);
            Map<PairKind, Integer> seen = new EnumMap<>(PairKind.class);
            // one running count over both speech kinds: every utterance is used before any repeats
            int speechSeen = 0;
            List<Example> examples = new ArrayList<>(count);
            for (int key = 0; key < count; key++) {
                PairKind kind = kinds.get(key);
                int occurrence = seen.merge(kind, 1, Integer::sum) - 1;
                Pairing pairing = kind.pairing(occurrence);
                if (kind == PairKind.CAPTION_IMAGE) {
                    int image = imageOrder[occurrence % imageOrder.length];
                    examples.add(captionImage(images, image, pairing, key));
                } else {
                    Utterance u =
                            utterances.get(utteranceOrder[speechSeen++ % utteranceOrder.length]);
                    examples.add(speechExample(images, u, pairing, key));
                }
            }
            return examples;
        }

        /** The kind of each training sequence: round(share × count) of each, shuffled. */
        private List<PairKind> kinds(int count) {
            int speechText = (int) Math.round(count * mix.speechText());
            int speechImage =
                    Math.min(count - speechText, (int) Math.round(count * mix.speechImage()));
            int captionImage = count - speechText - speechImage;
            List<PairKind> ordered = new ArrayList<>(count);
            ordered.addAll(java.util.Collections.nCopies(captionImage, PairKind.CAPTION_IMAGE));
            ordered.addAll(java.util.Collections.nCopies(speechText, PairKind.SPEECH_TEXT));
            ordered.addAll(java.util.Collections.nCopies(speechImage, PairKind.SPEECH_IMAGE));
            int[] order = Seeds.permutation(count, seed, STREAM_MIX, 0);
            List<PairKind> kinds = new ArrayList<>(count);
            for (int i : order) {
                kinds.add(ordered.get(i));
            }
            return kinds;
        }

        /** Every held-out image with a caption, the two directions alternating. */
        List<TokenSequence> captionsAndImages(ImageSet images) {
            List<TokenSequence> out = new ArrayList<>(images.images().size());
            for (int i = 0; i < images.images().size(); i++) {
                Pairing pairing = PairKind.CAPTION_IMAGE.pairing(i);
                out.add(captionImage(images, i, pairing, HELD_OUT_KEYS + i).sequence());
            }
            return out;
        }

        /** Every utterance of a held-out split in the four speech pairings, taken in turn. */
        List<TokenSequence> speech(ImageSet images, List<Utterance> utterances) {
            List<TokenSequence> out = new ArrayList<>(utterances.size());
            for (int j = 0; j < utterances.size(); j++) {
                Pairing pairing = SPEECH_PAIRINGS.get(j % SPEECH_PAIRINGS.size());
                out.add(
                        speechExample(images, utterances.get(j), pairing, HELD_OUT_KEYS + j)
                                .sequence());
            }
            return out;
        }

        private Example captionImage(ImageSet images, int image, Pairing pairing, long key) {
            int label = images.images().label(image);
            String caption = captions.caption(label, key);
            return new Example(
                    pairing,
                    label,
                    image,
                    null,
                    builder.build(pairing, caption, images.codes()[image], null));
        }

        private Example speechExample(ImageSet images, Utterance u, Pairing pairing, long key) {
            int[] speechUnits =
                    units.computeIfAbsent(
                            u.index(), i -> speechTokenizer.encodeMel(corpus.frames(i)));
            int image =
                    PairKind.of(pairing) == PairKind.SPEECH_IMAGE
                            ? images.imageOf(u.label(), seed, key)
                            : -1;
            return new Example(
                    pairing,
                    u.label(),
                    image,
                    u,
                    builder.build(
                            pairing,
                            u.text(),
                            image < 0 ? null : images.codes()[image],
                            speechUnits));
        }
    }

    /** The joint vocabulary (text, image codes, speech units). */
    public JointVocabulary vocabulary() {
        return vocabulary;
    }

    /** The training examples, in dataset order (record {@code i} is example {@code i}). */
    public List<Example> trainExamples() {
        return trainExamples;
    }

    /** The training dataset: shuffled reproducibly from the seed. */
    public TokenSequenceDataset train() {
        return train;
    }

    /** Held-out images with captions, both directions alternating, in order. */
    public TokenSequenceDataset heldOutCaptionsAndImages() {
        return heldOutCaptionsAndImages;
    }

    /** The held-out template said by the training voices, in the four speech pairings. */
    public TokenSequenceDataset heldOutUtterances() {
        return heldOutUtterances;
    }

    /** The held-out voices, in the four speech pairings. */
    public TokenSequenceDataset heldOutVoices() {
        return heldOutVoices;
    }

    /** Length of the longest sequence of any dataset. */
    public int maxSequenceLength() {
        return Math.max(
                Math.max(train.maxLength(), heldOutCaptionsAndImages.maxLength()),
                Math.max(heldOutUtterances.maxLength(), heldOutVoices.maxLength()));
    }

    /**
     * Sets the vocabulary size, three modalities, their token ranges and a maximum sequence length
     * that fits every sequence on a config.
     */
    public MoTConfig.Builder applyTo(MoTConfig.Builder builder) {
        return vocabulary.applyTo(builder).maxSeqLen(maxSequenceLength());
    }
}
