package io.motdjl.examples.chameleon;

import io.motdjl.data.Direction;
import io.motdjl.data.TokenSequence;

/**
 * One caption-image pair laid out as a sequence, with where it came from.
 *
 * @param sourceIndex index of the image in the data set it was drawn from
 * @param label class of the image
 * @param direction the layout of the sequence
 * @param caption the caption text
 * @param sequence the tokens, modality ids and image span ids
 */
public record ChameleonExample(
        int sourceIndex, int label, Direction direction, String caption, TokenSequence sequence) {}
