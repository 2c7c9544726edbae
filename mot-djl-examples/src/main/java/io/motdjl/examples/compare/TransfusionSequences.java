package io.motdjl.examples.compare;

import io.motdjl.data.Direction;
import io.motdjl.diffusion.ImagePatches;
import io.motdjl.diffusion.TransfusionDataset;
import io.motdjl.diffusion.TransfusionSequence;
import io.motdjl.examples.chameleon.CaptionTemplates;
import io.motdjl.examples.chameleon.FashionMnist;
import io.motdjl.examples.quality.FashionImages;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The Transfusion setting's sequences made from Fashion-MNIST images, laid out once for everything
 * that trains or scores on them (the comparison and the zoo's recipe): one training sequence per
 * image, caption first with probability {@value TransfusionComparison#CAPTION_FIRST} (its caption
 * dropped with probability {@value TransfusionComparison#CAPTION_DROPOUT}, for classifier-free
 * guidance), else the image first with its timestep below {@value
 * TransfusionComparison#IMAGE_FIRST_TIMESTEP_LIMIT}; and every held-out image twice, once to read
 * (image first, lightly noised: the caption's text loss) and once to draw (caption first: the
 * image's diffusion loss).
 */
public final class TransfusionSequences {

    /** Fashion-MNIST's 28×28 images in 4×4 patches: 49 rows of 16 values. */
    public static final ImagePatches GEOMETRY =
            new ImagePatches(
                    FashionMnist.IMAGE_SIZE, FashionMnist.IMAGE_SIZE, TransfusionComparison.PATCH);

    /** Sequences per batch when held-out sets are scored. */
    public static final int EVALUATION_BATCH = 128;

    private TransfusionSequences() {}

    /**
     * One training sequence per image; image {@code i}'s direction and caption dropout come from
     * its own seeded draw, so they do not depend on the order or number of the other images.
     *
     * @param images the training images
     * @param captions the caption templates
     * @param seed the seed of the directions and the dropout
     * @return the sequences, in image order
     */
    public static List<TransfusionSequence> training(
            FashionMnist images, CaptionTemplates captions, long seed) {
        List<TransfusionSequence> out = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + i);
            boolean captionFirst = random.nextDouble() < TransfusionComparison.CAPTION_FIRST;
            boolean dropped =
                    captionFirst && random.nextDouble() < TransfusionComparison.CAPTION_DROPOUT;
            out.add(
                    TransfusionSequence.of(
                            captions.caption(images.label(i), i),
                            rows(images, i),
                            GEOMETRY.values(),
                            captionFirst ? Direction.CAPTION_TO_IMAGE : Direction.IMAGE_TO_CAPTION,
                            dropped,
                            captionFirst ? 0 : TransfusionComparison.IMAGE_FIRST_TIMESTEP_LIMIT));
        }
        return out;
    }

    /** Held-out images before their captions, lightly noised: scores the caption text. */
    public static List<TransfusionSequence> reading(
            FashionMnist images, CaptionTemplates captions) {
        return heldOut(images, captions, Direction.IMAGE_TO_CAPTION);
    }

    /** Held-out captions before their images: scores the images' diffusion loss. */
    public static List<TransfusionSequence> drawing(
            FashionMnist images, CaptionTemplates captions) {
        return heldOut(images, captions, Direction.CAPTION_TO_IMAGE);
    }

    /** Sequences as a held-out set: in order, {@link #EVALUATION_BATCH} per batch. */
    public static TransfusionDataset evaluationSet(List<TransfusionSequence> sequences) {
        return TransfusionDataset.builder()
                .setSequences(sequences, GEOMETRY.values())
                .setSampling(EVALUATION_BATCH, false)
                .build();
    }

    private static List<TransfusionSequence> heldOut(
            FashionMnist images, CaptionTemplates captions, Direction direction) {
        boolean imageFirst = direction == Direction.IMAGE_TO_CAPTION;
        List<TransfusionSequence> out = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            out.add(
                    TransfusionSequence.of(
                            captions.caption(images.label(i), i),
                            rows(images, i),
                            GEOMETRY.values(),
                            direction,
                            false,
                            imageFirst ? TransfusionComparison.IMAGE_FIRST_TIMESTEP_LIMIT : 0));
        }
        return out;
    }

    private static float[] rows(FashionMnist images, int i) {
        return GEOMETRY.toRows(FashionImages.toFloats(images.image(i)));
    }
}
