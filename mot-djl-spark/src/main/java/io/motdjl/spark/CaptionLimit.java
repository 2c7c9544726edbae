package io.motdjl.spark;

import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.ZooModel;

import io.motdjl.generate.ChameleonGenerator;
import io.motdjl.nn.MoTModel;
import io.motdjl.tokenize.JointVocabulary;
import io.motdjl.tokenize.PatchKMeansTokenizer;
import io.motdjl.zoo.MoTCheckpoint;
import io.motdjl.zoo.MoTScore;
import io.motdjl.zoo.MoTSequence;

import java.io.IOException;

/**
 * The longest caption, in UTF-8 bytes, a model can both score ({@code [BOS] bytes [EOS]}) and draw
 * an image for, as its generator counts it: checked by the driver before the job, so that a caption
 * too long fails the run up front with its line number, not a task in the middle of the job.
 */
final class CaptionLimit {

    private CaptionLimit() {}

    /**
     * The limit of the source's model (loaded through {@link JvmModels}: in local mode the
     * executors reuse it).
     *
     * @throws InputException if the model has no image tokenizer to draw with
     */
    static int of(ModelSource source) throws InputException {
        ZooModel<MoTSequence, MoTScore> model =
                JvmModels.get(source, MoTSequence.class, MoTScore.class);
        MoTModel block = (MoTModel) model.getBlock();
        PatchKMeansTokenizer tokenizer;
        try {
            tokenizer =
                    MoTCheckpoint.imageTokenizer(model)
                            .orElseThrow(
                                    () ->
                                            InputException.badInput(
                                                    source
                                                            + " has no "
                                                            + MoTCheckpoint.TOKENIZER_FILE
                                                            + " to draw images with"));
        } catch (IOException e) {
            throw InputException.badInput(
                    "cannot read the image tokenizer of " + source + ": " + e);
        }
        try (NDManager manager = model.getNDManager().newSubManager()) {
            ChameleonGenerator generator =
                    new ChameleonGenerator(
                            block, manager, tokenizer, JointVocabulary.of(block.config()));
            int forScore = block.config().maxSeqLen() - 2;
            return Math.min(forScore, generator.mostCaptionBytesForImage());
        }
    }
}
