package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import io.motdjl.config.DiffusionConfig;
import io.motdjl.config.PatchEncoder;

/**
 * The Transfusion setting's convolutional way in for image rows (config {@code
 * diffusion.patch_encoder: "conv"}), a small version of the paper's U-Net down blocks. The image
 * rows of the batch ({@value PatchAdapter#PATCHES}, {@code p×p} grey patches noised to their
 * image's timestep) are put back together into whole images {@code (N, 1, g·p, g·p)}, then:
 *
 * <pre>
 *   conv_in    Conv2d 3×3, 1 → C, padding 1     full resolution
 *   SiLU
 *   conv_mid   Conv2d 3×3, C → C, padding 1     full resolution
 *   SiLU
 *   patchify   Conv2d p×p, stride p, C → D      one D-vector per patch: the g×g grid
 * </pre>
 *
 * <p>and each grid cell, in the rows' row-major order, becomes the hidden row of its patch, plus
 * the {@link TimestepEmbedding} of the row's timestep ({@value PatchAdapter#TIMESTEPS}). Unlike
 * {@link PatchAdapter}, a row's hidden state depends on its neighbouring pixels across patch
 * borders, so the adapter needs whole images: the image rows it gets must be whole images of {@code
 * g²} consecutive positions (the model hands each modality its rows in sequence order). Inputs are
 * checked as {@link PatchAdapter} checks them.
 */
public final class ConvPatchAdapter extends AbstractBlock implements InputAdapter {

    private static final byte VERSION = 1;
    private static final String WHO = "the conv patch encoder";

    private final PatchImages images;
    private final long channels;
    private final long dim;
    private final int timesteps;
    private final Conv2d convIn;
    private final Conv2d convMid;
    private final Conv2d patchify;
    private final TimestepEmbedding timestepEmbedding;

    /**
     * Creates the adapter.
     *
     * @param imageSide pixels along an image side
     * @param patchSide p, pixels along a patch side, dividing {@code imageSide}
     * @param channels C, channels of the full-resolution convolutions
     * @param dim D
     * @param timesteps T of the noise schedule: timesteps must lie in {@code [0, T)}
     * @throws IllegalArgumentException if a size is not positive or p does not divide the side
     */
    public ConvPatchAdapter(int imageSide, int patchSide, int channels, long dim, int timesteps) {
        super(VERSION);
        if (imageSide < 1
                || patchSide < 1
                || imageSide % patchSide != 0
                || channels < 1
                || dim < 1
                || timesteps < 1) {
            throw new IllegalArgumentException(
                    "ConvPatchAdapter needs positive sizes and a patch side dividing the image"
                            + " side, got image side "
                            + imageSide
                            + ", patch side "
                            + patchSide
                            + ", C="
                            + channels
                            + ", D="
                            + dim
                            + ", T="
                            + timesteps);
        }
        this.images = new PatchImages(imageSide / patchSide, patchSide);
        this.channels = channels;
        this.dim = dim;
        this.timesteps = timesteps;
        convIn = addChildBlock("conv_in", fullResolution(channels));
        convMid = addChildBlock("conv_mid", fullResolution(channels));
        patchify =
                addChildBlock(
                        "patchify",
                        Conv2d.builder()
                                .setKernelShape(new Shape(patchSide, patchSide))
                                .optStride(new Shape(patchSide, patchSide))
                                .setFilters(Math.toIntExact(dim))
                                .build());
        timestepEmbedding = addChildBlock("timestep_embedding", new TimestepEmbedding(dim));
    }

    /** The adapter a conv {@code diffusion} config asks for, at width {@code dim}. */
    public static ConvPatchAdapter of(DiffusionConfig diffusion, long dim) {
        requireConv(diffusion);
        return new ConvPatchAdapter(
                diffusion.imageSide(),
                diffusion.patchSide(),
                diffusion.convChannels(),
                dim,
                diffusion.timesteps());
    }

    static void requireConv(DiffusionConfig diffusion) {
        if (diffusion.patchEncoder() != PatchEncoder.CONV) {
            throw new IllegalArgumentException(
                    "the diffusion config's patch_encoder is "
                            + diffusion.patchEncoder().jsonName()
                            + ", not conv");
        }
    }

    /** A 3×3 convolution with padding 1 (size kept) to {@code filters} channels. */
    static Conv2d fullResolution(int filters) {
        int k = PatchEncoder.CONV_KERNEL_SIDE;
        return Conv2d.builder()
                .setKernelShape(new Shape(k, k))
                .optPadding(new Shape(k / 2, k / 2))
                .setFilters(filters)
                .build();
    }

    /** {@code x · sigmoid(x)}. */
    static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    @Override
    public NDArray embed(ParameterStore ps, MoTInputs inputs, NDArray rows, boolean training) {
        PatchRows selected = PatchRows.select(inputs, rows, patchSize(), timesteps);
        images.requireWholeImages(inputs, rows, selected.count(), WHO);
        DataType type = patchify.getParameters().get("weight").getArray().getDataType();
        if (selected.count() == 0) {
            return inputs.tokens()
                    .getManager()
                    .zeros(new Shape(0, dim), type, inputs.tokens().getDevice());
        }
        NDArray x = images.toImages(selected.values().toType(type, false), WHO);
        x = silu(convIn.forward(ps, new NDList(x), training).singletonOrThrow());
        x = silu(convMid.forward(ps, new NDList(x), training).singletonOrThrow());
        x = patchify.forward(ps, new NDList(x), training).singletonOrThrow();
        NDArray hidden = images.mapsToRows(x);
        NDArray time =
                timestepEmbedding
                        .forward(ps, new NDList(selected.timesteps()), training)
                        .singletonOrThrow();
        return hidden.add(time);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(embed(ps, MoTInputs.from(inputs), null, training));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        long side = images.imageSide();
        convIn.initialize(manager, dataType, new Shape(1, 1, side, side));
        convMid.initialize(manager, dataType, new Shape(1, channels, side, side));
        patchify.initialize(manager, dataType, new Shape(1, channels, side, side));
        timestepEmbedding.initialize(manager, dataType, new Shape(1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].size(), dim)};
    }

    /** P, values per patch row ({@code p²}). */
    public long patchSize() {
        return images.patch() * images.patch();
    }

    /** p, pixels along a patch side. */
    public long patchSide() {
        return images.patch();
    }

    /** Pixels along an image side. */
    public long imageSide() {
        return images.imageSide();
    }

    /** Patch rows per image, {@code (image side / p)²}. */
    public long rowsPerImage() {
        return images.rowsPerImage();
    }

    /** C, channels of the full-resolution convolutions. */
    public long channels() {
        return channels;
    }

    /** T of the schedule the timesteps come from. */
    public int timesteps() {
        return timesteps;
    }

    /** The first convolution, 3×3 from the grey image to C channels. */
    public Conv2d convIn() {
        return convIn;
    }

    /** The second convolution, 3×3 from C to C channels. */
    public Conv2d convMid() {
        return convMid;
    }

    /** The patchifying convolution, {@code p×p} with stride p, from C channels to D. */
    public Conv2d patchify() {
        return patchify;
    }

    /** The timestep embedding. */
    public TimestepEmbedding timestepEmbedding() {
        return timestepEmbedding;
    }

    @Override
    public String toString() {
        return "ConvPatchAdapter("
                + imageSide()
                + "x"
                + imageSide()
                + " in "
                + patchSide()
                + "x"
                + patchSide()
                + ", C="
                + channels
                + " -> "
                + dim
                + ", T="
                + timesteps
                + ")";
    }
}
