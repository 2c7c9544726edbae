package io.motdjl.zoo;

import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import ai.djl.translate.ArgumentsUtil;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds the {@link io.motdjl.nn.MoTModel} of a checkpoint directory for DJL's own loader, so that
 * {@code Criteria.optModelPath(dir)} loads a MoT checkpoint: the block is built in Java from the
 * directory's {@code config.json}, its checksums are verified ({@code checksums.sha256}, when
 * present) and its weights ({@code model.safetensors} or DJL {@code .params}) are loaded and
 * checked against the config, all before the block is returned. DJL must therefore not load
 * parameters a second time: use it with the option {@code hasParameter=false}, as the {@code
 * serving.properties} written by {@link MoTCheckpointWriter} and {@link
 * MoTModelZoo#checkpointCriteria} do.
 *
 * <p>DJL's {@code BaseModelLoader} closes nothing when a block factory throws: the empty DJL {@code
 * Model} it made stays open (it holds no arrays; this factory frees what it allocated).
 *
 * <p>Arguments: {@code requireChecksums} ({@code true} to refuse a directory without a manifest;
 * default {@code false}, so that a bare checkpoint of the reference layout loads).
 */
public class MoTBlockFactory implements BlockFactory {

    private static final long serialVersionUID = 1L;

    /** The argument that makes checksums mandatory. */
    public static final String REQUIRE_CHECKSUMS = "requireChecksums";

    @Override
    public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments)
            throws IOException {
        MoTCheckpoint.Verification verification =
                ArgumentsUtil.booleanValue(arguments, REQUIRE_CHECKSUMS)
                        ? MoTCheckpoint.Verification.REQUIRED
                        : MoTCheckpoint.Verification.IF_PRESENT;
        return MoTCheckpoint.load(modelPath, model.getNDManager(), null, verification);
    }
}
