package io.motdjl.examples.zoo;

import io.motdjl.diffusion.ImagePatches;
import io.motdjl.diffusion.TransfusionDataset;
import io.motdjl.diffusion.TransfusionSequence;
import io.motdjl.examples.chameleon.CaptionTemplates;
import io.motdjl.examples.chameleon.FashionMnist;
import io.motdjl.examples.compare.TransfusionSequences;

import java.util.List;

/**
 * The Transfusion-setting data of the zoo's recipe, the sequences {@link TransfusionSequences} lays
 * out (as the comparison does) as datasets.
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
    public static final ImagePatches GEOMETRY = TransfusionSequences.GEOMETRY;

    /** Sequences per batch when the held-out sets are scored. */
    public static final int EVALUATION_BATCH = TransfusionSequences.EVALUATION_BATCH;

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
        FashionMnist heldOut = split.heldOut();
        List<TransfusionSequence> training = TransfusionSequences.training(train, captions, seed);
        List<TransfusionSequence> reading = TransfusionSequences.reading(heldOut, captions);
        List<TransfusionSequence> drawing = TransfusionSequences.drawing(heldOut, captions);
        TransfusionDataset trainSet =
                TransfusionDataset.builder()
                        .setSequences(training, GEOMETRY.values())
                        .setSampling(batchSize, true)
                        .build();
        TransfusionDataset readingSet = TransfusionSequences.evaluationSet(reading);
        TransfusionDataset drawingSet = TransfusionSequences.evaluationSet(drawing);
        int maxLength =
                Math.max(
                        trainSet.sequenceLength(),
                        Math.max(readingSet.sequenceLength(), drawingSet.sequenceLength()));
        return new TransfusionZooData(
                trainSet, readingSet, drawingSet, maxLength, train.size(), heldOut.size());
    }
}
