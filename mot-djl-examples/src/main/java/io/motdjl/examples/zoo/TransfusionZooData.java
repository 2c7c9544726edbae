package io.motdjl.examples.zoo;

import io.motdjl.data.Direction;
import io.motdjl.diffusion.ImagePatches;
import io.motdjl.diffusion.TransfusionDataset;
import io.motdjl.diffusion.TransfusionSequence;
import io.motdjl.examples.chameleon.CaptionTemplates;
import io.motdjl.examples.chameleon.FashionMnist;
import io.motdjl.examples.compare.TransfusionComparison;
import io.motdjl.zoo.GrayscaleImages;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The Transfusion-setting data of the zoo's recipe, laid out as {@link TransfusionComparison} lays
 * it out: one sequence per training image, caption first with probability {@value
 * TransfusionComparison#CAPTION_FIRST} (the caption dropped with probability {@value
 * TransfusionComparison#CAPTION_DROPOUT}, for classifier-free guidance), else the image first with
 * its timestep below {@value TransfusionComparison#IMAGE_FIRST_TIMESTEP_LIMIT}; every held-out
 * image twice, once to read (image first, lightly noised: the caption's text loss) and once to draw
 * (caption first: the image's diffusion loss).
 *
 * @param train the training sequences, shuffled in batches
 * @param reading the held-out images before their captions
 * @param drawing the held-out captions before their images
 * @param maxLength the longest sequence of the three
 * @param trainImages images trained on
 * @param heldOutImages images held out
 */
public record TransfusionZooData(
        TransfusionDataset train,
        TransfusionDataset reading,
        TransfusionDataset drawing,
        int maxLength,
        int trainImages,
        int heldOutImages) {

    /** Fashion-MNIST's 28×28 images in the comparison's 4×4 patches: 49 rows of 16 values. */
    public static final ImagePatches GEOMETRY =
            new ImagePatches(
                    FashionMnist.IMAGE_SIZE, FashionMnist.IMAGE_SIZE, TransfusionComparison.PATCH);

    /** Sequences per batch when the held-out sets are scored. */
    public static final int EVALUATION_BATCH = 128;

    /**
     * Lays out a split.
     *
     * @param split the images to train on and to hold out
     * @param seed the seed of the captions' templates, the directions and the caption dropout
     * @param batchSize training sequences per batch
     * @return the data
     */
    public static TransfusionZooData build(FashionMnist.Split split, int seed, int batchSize) {
        CaptionTemplates captions = CaptionTemplates.defaults(seed);
        FashionMnist train = split.train();
        List<TransfusionSequence> training = new ArrayList<>(train.size());
        for (int i = 0; i < train.size(); i++) {
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + i);
            boolean captionFirst = random.nextDouble() < TransfusionComparison.CAPTION_FIRST;
            boolean dropped =
                    captionFirst && random.nextDouble() < TransfusionComparison.CAPTION_DROPOUT;
            training.add(
                    TransfusionSequence.of(
                            captions.caption(train.label(i), i),
                            rows(train.image(i)),
                            GEOMETRY.values(),
                            captionFirst ? Direction.CAPTION_TO_IMAGE : Direction.IMAGE_TO_CAPTION,
                            dropped,
                            captionFirst ? 0 : TransfusionComparison.IMAGE_FIRST_TIMESTEP_LIMIT));
        }
        FashionMnist heldOut = split.heldOut();
        List<TransfusionSequence> reading = new ArrayList<>(heldOut.size());
        List<TransfusionSequence> drawing = new ArrayList<>(heldOut.size());
        for (int i = 0; i < heldOut.size(); i++) {
            String caption = captions.caption(heldOut.label(i), i);
            float[] rows = rows(heldOut.image(i));
            reading.add(
                    TransfusionSequence.of(
                            caption,
                            rows,
                            GEOMETRY.values(),
                            Direction.IMAGE_TO_CAPTION,
                            false,
                            TransfusionComparison.IMAGE_FIRST_TIMESTEP_LIMIT));
            drawing.add(
                    TransfusionSequence.of(
                            caption,
                            rows,
                            GEOMETRY.values(),
                            Direction.CAPTION_TO_IMAGE,
                            false,
                            0));
        }
        TransfusionDataset trainSet =
                TransfusionDataset.builder()
                        .setSequences(training, GEOMETRY.values())
                        .setSampling(batchSize, true)
                        .build();
        TransfusionDataset readingSet = evaluationSet(reading);
        TransfusionDataset drawingSet = evaluationSet(drawing);
        int maxLength =
                Math.max(
                        trainSet.sequenceLength(),
                        Math.max(readingSet.sequenceLength(), drawingSet.sequenceLength()));
        return new TransfusionZooData(
                trainSet, readingSet, drawingSet, maxLength, train.size(), heldOut.size());
    }

    /** An image's patch rows. */
    private static float[] rows(byte[] image) {
        return GEOMETRY.toRows(GrayscaleImages.pixelsOf(image));
    }

    private static TransfusionDataset evaluationSet(List<TransfusionSequence> sequences) {
        return TransfusionDataset.builder()
                .setSequences(sequences, GEOMETRY.values())
                .setSampling(EVALUATION_BATCH, false)
                .build();
    }
}
