package io.motdjl.diffusion;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.util.Progress;

import io.motdjl.config.DiffusionConfig;
import io.motdjl.config.MoTConfig;
import io.motdjl.config.Untie;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.PatchAdapter;
import io.motdjl.train.RunOptions;

import java.util.Random;

/**
 * A learnable Transfusion-layout task: a "caption" naming one of four classes, BOI, an image of
 * {@link #IMAGE_ROWS} patches of {@link #PATCH} values whose pattern is fixed by the class (plus a
 * little pixel noise), EOI and one more text token. Text is modality 0, image rows modality 1 in
 * span 1. The conv variant ({@link #CONV_CONFIG}, {@link #createConv}) has whole square images: 4×4
 * pixels in 2×2 patches, {@link #CONV_IMAGE_ROWS} rows of the same {@link #PATCH} values.
 */
final class TinyTransfusion extends RandomAccessDataset {

    static final int PATCH = 4;
    static final int IMAGE_ROWS = 6;
    static final int LENGTH = 3 + IMAGE_ROWS + 2;
    static final int DIM = 16;
    static final long BOI = 30;
    static final long EOI = 31;

    static final MoTConfig CONFIG =
            MoTConfig.builder()
                    .vocabSize(32)
                    .dim(DIM)
                    .nLayers(1)
                    .nHeads(2)
                    .ffnHiddenDim(32)
                    .nModalities(2)
                    .maxSeqLen(LENGTH)
                    .untie(Untie.ALL)
                    .diffusion(new DiffusionConfig(1, PATCH, 1000))
                    .build();

    static final int CONV_IMAGE_SIDE = 4;
    static final int CONV_PATCH_SIDE = 2;
    static final int CONV_CHANNELS = 4;
    static final int CONV_IMAGE_ROWS = 4;

    /** {@link #CONFIG} with the conv patch encoder. */
    static final MoTConfig CONV_CONFIG =
            CONFIG.toBuilder()
                    .diffusion(
                            DiffusionConfig.conv(
                                    1, CONV_IMAGE_SIDE, CONV_PATCH_SIDE, 1000, CONV_CHANNELS))
                    .build();

    /** A quiet CPU run training with the paper's Transfusion objective (image modality 1). */
    static final RunOptions OPTIONS =
            RunOptions.builder()
                    .device(Device.cpu())
                    .progressBar(false)
                    .logEvery(0)
                    .objective(c -> TransfusionObjective.standard(c.nModalities(), 1))
                    .build();

    private final long[][] tokens;
    private final long[][] modalities;
    private final long[][] spans;
    private final float[][] patches;
    private final long[][] valid; // null: every position is real

    private TinyTransfusion(
            Builder b,
            long[][] tokens,
            long[][] modalities,
            long[][] spans,
            float[][] patches,
            long[][] valid) {
        super(b);
        this.tokens = tokens;
        this.modalities = modalities;
        this.spans = spans;
        this.patches = patches;
        this.valid = valid;
    }

    static TinyTransfusion create(int rows, long seed, int batch) {
        return create(rows, seed, batch, IMAGE_ROWS);
    }

    private static TinyTransfusion create(int rows, long seed, int batch, int imageRows) {
        int length = 3 + imageRows + 2;
        Random random = new Random(seed);
        long[][] tokens = new long[rows][length];
        long[][] modalities = new long[rows][length];
        long[][] spans = new long[rows][length];
        float[][] patches = new float[rows][length * PATCH];
        for (int r = 0; r < rows; r++) {
            int c = random.nextInt(4);
            tokens[r][0] = 1;
            tokens[r][1] = 10 + c;
            tokens[r][2] = BOI;
            for (int i = 0; i < imageRows; i++) {
                int t = 3 + i;
                modalities[r][t] = 1;
                spans[r][t] = 1;
                for (int p = 0; p < PATCH; p++) {
                    double pattern = Math.sin(1.3 * (c + 1) * (i * PATCH + p));
                    patches[r][t * PATCH + p] = (float) (pattern + 0.05 * random.nextGaussian());
                }
            }
            tokens[r][length - 2] = EOI;
            tokens[r][length - 1] = 2;
        }
        return new TinyTransfusion(
                new Builder().setSampling(batch, false), tokens, modalities, spans, patches, null);
    }

    /**
     * Like {@link #create(int, long, int)}, but every third row is a caption alone (BOS, class,
     * EOS, then padding): rows differ in their numbers of text targets and images.
     */
    static TinyTransfusion createMixed(int rows, long seed, int batch) {
        TinyTransfusion full = create(rows, seed, batch, IMAGE_ROWS);
        long[][] valid = new long[rows][LENGTH];
        for (int r = 0; r < rows; r++) {
            java.util.Arrays.fill(valid[r], 1);
            if (r % 3 == 2) {
                java.util.Arrays.fill(full.tokens[r], 3, LENGTH, 0);
                full.tokens[r][2] = 2;
                java.util.Arrays.fill(full.modalities[r], 0);
                java.util.Arrays.fill(full.spans[r], 0);
                java.util.Arrays.fill(full.patches[r], 0f);
                java.util.Arrays.fill(valid[r], 3, LENGTH, 0);
            }
        }
        return new TinyTransfusion(
                new Builder().setSampling(batch, false),
                full.tokens,
                full.modalities,
                full.spans,
                full.patches,
                valid);
    }

    /** Sequences for {@link #CONV_CONFIG}: whole 4×4 images of {@link #CONV_IMAGE_ROWS} rows. */
    static TinyTransfusion createConv(int rows, long seed, int batch) {
        return create(rows, seed, batch, CONV_IMAGE_ROWS);
    }

    @Override
    public Record get(NDManager manager, long index) {
        int i = Math.toIntExact(index);
        NDList data =
                new NDList(
                        named(manager.create(tokens[i]), MoTInputs.TOKENS),
                        named(manager.create(modalities[i]), MoTInputs.MODALITIES),
                        named(manager.create(spans[i]), MoTInputs.IMAGE_SPAN_IDS),
                        named(
                                manager.create(patches[i], new Shape(tokens[i].length, PATCH)),
                                PatchAdapter.PATCHES));
        NDList labels =
                new NDList(
                        named(manager.create(tokens[i]), MoTInputs.TOKENS),
                        named(manager.create(modalities[i]), MoTInputs.MODALITIES));
        if (valid != null) {
            data.add(named(manager.create(valid[i]), MoTInputs.VALID_TOKENS));
            labels.add(named(manager.create(valid[i]), MoTInputs.VALID_TOKENS));
        }
        return new Record(data, labels);
    }

    private static NDArray named(NDArray array, String name) {
        array.setName(name);
        return array;
    }

    @Override
    protected long availableSize() {
        return tokens.length;
    }

    @Override
    public void prepare(Progress progress) {}

    static final class Builder extends BaseBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
