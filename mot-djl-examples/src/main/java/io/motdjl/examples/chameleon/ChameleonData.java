package io.motdjl.examples.chameleon;

import io.motdjl.config.MoTConfig;
import io.motdjl.data.ChameleonSequenceBuilder;
import io.motdjl.data.Direction;
import io.motdjl.data.TokenSequence;
import io.motdjl.data.TokenSequenceDataset;
import io.motdjl.tokenize.ImageTokenizer;
import io.motdjl.tokenize.JointVocabulary;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Everything the Chameleon-setting experiment trains on: Fashion-MNIST images turned into codes by
 * an image tokenizer, captions from the class names, both laid out as caption-to-image and
 * image-to-caption sequences over one {@link JointVocabulary}, as a shuffled training dataset and
 * an ordered held-out dataset; and, as Chameleon mixes text-only documents with image-text data,
 * optionally text-only sequences of real prose ({@link ProseCorpus}) at a chosen share of the
 * training sequences, with their own held-out set from documents never trained on.
 *
 * <p>Every choice (split, caption template, direction, shuffle order) follows from the seed.
 */
public final class ChameleonData {

    private static final Logger logger = LoggerFactory.getLogger(ChameleonData.class);

    /** Held-out example keys start here, so that their seeded choices differ from training's. */
    private static final long HELD_OUT_KEYS = 1L << 32;

    /**
     * How the data is built.
     *
     * @param seed seed of the split, the caption templates, the directions and the shuffle
     * @param heldOutFraction fraction of images held out (used when building from unsplit data)
     * @param batchSize batch size of both datasets
     * @param directions how each example's direction is chosen
     * @param captionTemplates caption templates (see {@link CaptionTemplates})
     * @param proseFraction share of the training sequences that are prose, in [0, 1); 0 trains on
     *     captions and images only
     */
    public record Options(
            long seed,
            double heldOutFraction,
            int batchSize,
            DirectionSchedule directions,
            List<String> captionTemplates,
            double proseFraction) {

        public Options {
            if (!(heldOutFraction >= 0 && heldOutFraction < 1)) {
                throw new IllegalArgumentException(
                        "heldOutFraction must be in [0, 1), got " + heldOutFraction);
            }
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
            }
            Objects.requireNonNull(directions, "directions");
            captionTemplates = List.copyOf(captionTemplates);
            if (!(proseFraction >= 0 && proseFraction < 1)) {
                throw new IllegalArgumentException(
                        "proseFraction must be in [0, 1), got " + proseFraction);
            }
        }

        /**
         * 10 % held out, batches of 32, alternating directions, the default templates, no prose.
         */
        public static Options defaults(long seed) {
            return new Options(
                    seed,
                    0.1,
                    32,
                    DirectionSchedule.ALTERNATE,
                    CaptionTemplates.DEFAULT_TEMPLATES,
                    0.0);
        }

        public Options withHeldOutFraction(double value) {
            return new Options(seed, value, batchSize, directions, captionTemplates, proseFraction);
        }

        public Options withBatchSize(int value) {
            return new Options(
                    seed, heldOutFraction, value, directions, captionTemplates, proseFraction);
        }

        public Options withDirections(DirectionSchedule value) {
            return new Options(
                    seed, heldOutFraction, batchSize, value, captionTemplates, proseFraction);
        }

        public Options withCaptionTemplates(List<String> value) {
            return new Options(seed, heldOutFraction, batchSize, directions, value, proseFraction);
        }

        public Options withProseFraction(double value) {
            return new Options(
                    seed, heldOutFraction, batchSize, directions, captionTemplates, value);
        }
    }

    private final JointVocabulary vocabulary;
    private final List<ChameleonExample> trainExamples;
    private final List<ChameleonExample> heldOutExamples;
    private final TokenSequenceDataset train;
    private final TokenSequenceDataset heldOut;
    private final TokenSequenceDataset heldOutProse;

    private ChameleonData(
            JointVocabulary vocabulary,
            List<ChameleonExample> trainExamples,
            List<ChameleonExample> heldOutExamples,
            ProseSequences prose,
            Options options) {
        this.vocabulary = vocabulary;
        this.trainExamples = List.copyOf(trainExamples);
        this.heldOutExamples = List.copyOf(heldOutExamples);
        // image examples first, so that record i is still trainExamples().get(i)
        List<TokenSequence> trainSequences = new ArrayList<>(sequences(trainExamples));
        trainSequences.addAll(prose.train());
        this.train =
                TokenSequenceDataset.builder()
                        .setSequences(trainSequences)
                        .optSeed(options.seed())
                        .setSampling(options.batchSize(), true)
                        .build();
        this.heldOut =
                TokenSequenceDataset.builder()
                        .setSequences(sequences(heldOutExamples))
                        .setSampling(options.batchSize(), false)
                        .build();
        this.heldOutProse =
                prose.heldOut().isEmpty()
                        ? null
                        : TokenSequenceDataset.builder()
                                .setSequences(prose.heldOut())
                                .setSampling(options.batchSize(), false)
                                .build();
    }

    /** Builds with {@link Options#defaults(long)}, splitting {@code data}. */
    public static ChameleonData build(FashionMnist data, ImageTokenizer tokenizer, long seed) {
        return build(data, tokenizer, Options.defaults(seed));
    }

    /**
     * Splits {@code data} with {@code options.heldOutFraction()} and the seed ({@link
     * FashionMnist#split(double, long)}, so the same call there gives the same parts), then builds.
     * Train the tokenizer on that training part only for an honest held-out measure.
     */
    public static ChameleonData build(
            FashionMnist data, ImageTokenizer tokenizer, Options options) {
        return build(data.split(options.heldOutFraction(), options.seed()), tokenizer, options);
    }

    /**
     * Builds from an existing split ({@code options.heldOutFraction()} is not used), without prose
     * ({@code options.proseFraction()} must be 0).
     *
     * @param split training and held-out images
     * @param tokenizer turns each image into codes
     * @param options seed, batch size, directions, caption templates
     * @return the vocabulary, examples and datasets
     */
    public static ChameleonData build(
            FashionMnist.Split split, ImageTokenizer tokenizer, Options options) {
        return build(split, tokenizer, options, null);
    }

    /**
     * Builds from an existing split of images and of prose documents ({@code
     * options.heldOutFraction()} is not used).
     *
     * <p>Prose documents are cut into pieces that fit the longest caption-image sequence ({@code
     * [BOS]} piece, and {@code [EOS]} after a document's last piece); the training set gets {@code
     * f/(1-f)} prose sequences per image example for {@code f = options.proseFraction()}, drawn
     * from the training documents' pieces in a seeded order; the held-out prose set gets as many
     * pieces of the held-out documents as there are held-out images (fewer if they run out).
     *
     * @param split training and held-out images
     * @param tokenizer turns each image into codes
     * @param options seed, batch size, directions, caption templates, prose fraction
     * @param prose training and held-out documents; may be null when the prose fraction is 0
     * @return the vocabulary, examples and datasets
     */
    public static ChameleonData build(
            FashionMnist.Split split,
            ImageTokenizer tokenizer,
            Options options,
            ProseCorpus.Split prose) {
        if (options.proseFraction() > 0 && prose == null) {
            throw new IllegalArgumentException(
                    "a prose fraction of "
                            + options.proseFraction()
                            + " needs prose documents; give a ProseCorpus.Split");
        }
        if (tokenizer.imageHeight() != FashionMnist.IMAGE_SIZE
                || tokenizer.imageWidth() != FashionMnist.IMAGE_SIZE) {
            throw new IllegalArgumentException(
                    "the tokenizer reads "
                            + tokenizer.imageHeight()
                            + " x "
                            + tokenizer.imageWidth()
                            + " images, Fashion-MNIST images are "
                            + FashionMnist.IMAGE_SIZE
                            + " x "
                            + FashionMnist.IMAGE_SIZE);
        }
        long start = System.nanoTime();
        JointVocabulary vocabulary = JointVocabulary.forTokenizer(tokenizer);
        ExampleMaker maker = new ExampleMaker(vocabulary, tokenizer, options);
        List<ChameleonExample> trainExamples = maker.examples(split.train(), 0);
        List<ChameleonExample> heldOutExamples = maker.examples(split.heldOut(), HELD_OUT_KEYS);
        ProseSequences proseSequences =
                options.proseFraction() == 0
                        ? ProseSequences.NONE
                        : ProseSequences.make(
                                prose,
                                longest(trainExamples, heldOutExamples) - 2,
                                (int)
                                        Math.round(
                                                trainExamples.size()
                                                        * options.proseFraction()
                                                        / (1 - options.proseFraction())),
                                heldOutExamples.size(),
                                options.seed());
        ChameleonData data =
                new ChameleonData(
                        vocabulary, trainExamples, heldOutExamples, proseSequences, options);
        logger.info(
                "Chameleon data: {} training sequences ({} of them prose) and {} held-out"
                        + " caption-image + {} held-out prose sequences (longest {} tokens),"
                        + " {} in {} ms",
                data.train.size(),
                proseSequences.train().size(),
                heldOutExamples.size(),
                proseSequences.heldOut().size(),
                data.maxSequenceLength(),
                vocabulary,
                (System.nanoTime() - start) / 1_000_000);
        return data;
    }

    private static int longest(List<ChameleonExample> a, List<ChameleonExample> b) {
        int longest = 0;
        for (List<ChameleonExample> examples : List.of(a, b)) {
            for (ChameleonExample e : examples) {
                longest = Math.max(longest, e.sequence().length());
            }
        }
        return longest;
    }

    /**
     * Text-only sequences of prose pieces: {@code [BOS] bytes} and {@code [EOS]} at a document end.
     */
    private record ProseSequences(List<TokenSequence> train, List<TokenSequence> heldOut) {
        static final ProseSequences NONE = new ProseSequences(List.of(), List.of());

        static ProseSequences make(
                ProseCorpus.Split prose,
                int maxBytes,
                int trainCount,
                int heldOutCount,
                long seed) {
            List<ProseCorpus.Piece> trainPieces = shuffled(prose.train().pieces(maxBytes), seed);
            List<ProseCorpus.Piece> heldOutPieces =
                    shuffled(prose.heldOut().pieces(maxBytes), seed + 1);
            List<TokenSequence> train = new ArrayList<>(trainCount);
            // more sequences asked for than pieces exist: the pieces repeat, in the same order
            for (int i = 0; i < trainCount; i++) {
                train.add(sequence(trainPieces.get(i % trainPieces.size())));
            }
            List<TokenSequence> heldOut = new ArrayList<>();
            for (int i = 0; i < Math.min(heldOutCount, heldOutPieces.size()); i++) {
                heldOut.add(sequence(heldOutPieces.get(i)));
            }
            return new ProseSequences(List.copyOf(train), List.copyOf(heldOut));
        }

        private static List<ProseCorpus.Piece> shuffled(List<ProseCorpus.Piece> pieces, long seed) {
            List<ProseCorpus.Piece> copy = new ArrayList<>(pieces);
            Collections.shuffle(copy, new Random(seed));
            return copy;
        }

        private static TokenSequence sequence(ProseCorpus.Piece piece) {
            int[] bytes = piece.tokens();
            int length = 1 + bytes.length + (piece.endsDocument() ? 1 : 0);
            int[] tokens = new int[length];
            tokens[0] = JointVocabulary.BOS;
            System.arraycopy(bytes, 0, tokens, 1, bytes.length);
            if (piece.endsDocument()) {
                tokens[length - 1] = JointVocabulary.EOS;
            }
            int[] modalities = new int[length];
            Arrays.fill(modalities, JointVocabulary.TEXT);
            return new TokenSequence(tokens, modalities, new int[length]);
        }
    }

    /** Turns images into examples: codes, caption, direction, sequence. */
    private static final class ExampleMaker {
        private final ImageTokenizer tokenizer;
        private final ChameleonSequenceBuilder builder;
        private final CaptionTemplates captions;
        private final DirectionSchedule directions;
        private final long seed;

        ExampleMaker(JointVocabulary vocabulary, ImageTokenizer tokenizer, Options options) {
            this.tokenizer = tokenizer;
            this.builder = new ChameleonSequenceBuilder(vocabulary);
            this.captions = new CaptionTemplates(options.captionTemplates(), options.seed());
            this.directions = options.directions();
            this.seed = options.seed();
        }

        List<ChameleonExample> examples(FashionMnist images, long firstKey) {
            // encoding dominates the cost; images are independent and the tokenizer immutable
            int[][] codes =
                    IntStream.range(0, images.size())
                            .parallel()
                            .mapToObj(i -> tokenizer.encode(images.image(i)))
                            .toArray(int[][]::new);
            List<ChameleonExample> examples = new ArrayList<>(images.size());
            for (int i = 0; i < images.size(); i++) {
                long key = firstKey + i;
                int label = images.label(i);
                String caption = captions.caption(label, key);
                Direction direction = directions.directionOf(key, seed);
                examples.add(
                        new ChameleonExample(
                                i,
                                label,
                                direction,
                                caption,
                                builder.build(caption, codes[i], direction)));
            }
            return examples;
        }
    }

    private static List<TokenSequence> sequences(List<ChameleonExample> examples) {
        return examples.stream().map(ChameleonExample::sequence).toList();
    }

    /** The joint vocabulary. */
    public JointVocabulary vocabulary() {
        return vocabulary;
    }

    /**
     * The training dataset: shuffled reproducibly from the seed. Its first records are the image
     * examples ({@link #trainExamples()}), then the prose sequences.
     */
    public TokenSequenceDataset train() {
        return train;
    }

    /** The held-out caption-image dataset, in order. */
    public TokenSequenceDataset heldOut() {
        return heldOut;
    }

    /** Whether the data has prose sequences. */
    public boolean hasProse() {
        return heldOutProse != null;
    }

    /** Prose sequences in the training dataset. */
    public int trainProseSequences() {
        // the prose sequences follow the image examples in the training dataset
        return (int) train.size() - trainExamples.size();
    }

    /**
     * The held-out prose dataset (pieces of documents never trained on), in order.
     *
     * @throws IllegalStateException if the data has no prose
     */
    public TokenSequenceDataset heldOutProse() {
        if (heldOutProse == null) {
            throw new IllegalStateException("this data has no prose (prose fraction 0)");
        }
        return heldOutProse;
    }

    /** The training examples, in dataset order (record {@code i} is example {@code i}). */
    public List<ChameleonExample> trainExamples() {
        return trainExamples;
    }

    /** The held-out examples, in dataset order. */
    public List<ChameleonExample> heldOutExamples() {
        return heldOutExamples;
    }

    /** Length of the longest sequence of either dataset. */
    public int maxSequenceLength() {
        int longest = Math.max(train.maxLength(), heldOut.maxLength());
        return heldOutProse == null ? longest : Math.max(longest, heldOutProse.maxLength());
    }

    /**
     * Sets the vocabulary size, two modalities, their token ranges and a maximum sequence length
     * that fits every sequence on a config.
     */
    public MoTConfig.Builder applyTo(MoTConfig.Builder builder) {
        return vocabulary.applyTo(builder).maxSeqLen(maxSequenceLength());
    }
}
