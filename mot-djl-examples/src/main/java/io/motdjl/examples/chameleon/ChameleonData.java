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
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Everything the Chameleon-setting experiment trains on: Fashion-MNIST images turned into codes by
 * an image tokenizer, captions from the class names, both laid out as caption-to-image and
 * image-to-caption sequences over one {@link JointVocabulary}, as a shuffled training dataset and
 * an ordered held-out dataset.
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
     */
    public record Options(
            long seed,
            double heldOutFraction,
            int batchSize,
            DirectionSchedule directions,
            List<String> captionTemplates) {

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
        }

        /** 10 % held out, batches of 32, alternating directions, the default templates. */
        public static Options defaults(long seed) {
            return new Options(
                    seed, 0.1, 32, DirectionSchedule.ALTERNATE, CaptionTemplates.DEFAULT_TEMPLATES);
        }

        public Options withHeldOutFraction(double value) {
            return new Options(seed, value, batchSize, directions, captionTemplates);
        }

        public Options withBatchSize(int value) {
            return new Options(seed, heldOutFraction, value, directions, captionTemplates);
        }

        public Options withDirections(DirectionSchedule value) {
            return new Options(seed, heldOutFraction, batchSize, value, captionTemplates);
        }

        public Options withCaptionTemplates(List<String> value) {
            return new Options(seed, heldOutFraction, batchSize, directions, value);
        }
    }

    private final JointVocabulary vocabulary;
    private final List<ChameleonExample> trainExamples;
    private final List<ChameleonExample> heldOutExamples;
    private final TokenSequenceDataset train;
    private final TokenSequenceDataset heldOut;

    private ChameleonData(
            JointVocabulary vocabulary,
            List<ChameleonExample> trainExamples,
            List<ChameleonExample> heldOutExamples,
            Options options) {
        this.vocabulary = vocabulary;
        this.trainExamples = List.copyOf(trainExamples);
        this.heldOutExamples = List.copyOf(heldOutExamples);
        this.train =
                TokenSequenceDataset.builder()
                        .setSequences(sequences(trainExamples))
                        .optSeed(options.seed())
                        .setSampling(options.batchSize(), true)
                        .build();
        this.heldOut =
                TokenSequenceDataset.builder()
                        .setSequences(sequences(heldOutExamples))
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
     * Builds from an existing split ({@code options.heldOutFraction()} is not used).
     *
     * @param split training and held-out images
     * @param tokenizer turns each image into codes
     * @param options seed, batch size, directions, caption templates
     * @return the vocabulary, examples and datasets
     */
    public static ChameleonData build(
            FashionMnist.Split split, ImageTokenizer tokenizer, Options options) {
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
        ChameleonData data = new ChameleonData(vocabulary, trainExamples, heldOutExamples, options);
        logger.info(
                "Chameleon data: {} training and {} held-out sequences (longest {} tokens),"
                        + " {} in {} ms",
                trainExamples.size(),
                heldOutExamples.size(),
                data.maxSequenceLength(),
                vocabulary,
                (System.nanoTime() - start) / 1_000_000);
        return data;
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

    /** The training dataset: shuffled reproducibly from the seed. */
    public TokenSequenceDataset train() {
        return train;
    }

    /** The held-out dataset, in order. */
    public TokenSequenceDataset heldOut() {
        return heldOut;
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
        return Math.max(train.maxLength(), heldOut.maxLength());
    }

    /**
     * Sets the vocabulary size, two modalities, their token ranges and a maximum sequence length
     * that fits every sequence on a config.
     */
    public MoTConfig.Builder applyTo(MoTConfig.Builder builder) {
        return vocabulary.applyTo(builder).maxSeqLen(maxSequenceLength());
    }
}
