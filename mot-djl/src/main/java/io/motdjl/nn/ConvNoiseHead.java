package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import io.motdjl.config.DiffusionConfig;

/**
 * The Transfusion setting's convolutional way out for image rows (config {@code
 * diffusion.patch_encoder: "conv"}), a small version of the paper's U-Net up blocks. The final
 * hidden rows of whole images, in row-major patch order, are laid out as feature maps {@code (N, D,
 * g, g)}, then:
 *
 * <pre>
 *   unpatchify  ConvTranspose2d p×p, stride p, D → C   back to full resolution
 *   SiLU
 *   conv_mid    Conv2d 3×3, C → C, padding 1
 *   SiLU
 *   conv_out    Conv2d 3×3, C → 1, padding 1           the predicted noise image
 * </pre>
 *
 * <p>and the image is cut into patch rows again: the model output {@value NoiseHead#OUTPUT} {@code
 * (B, T, p²)} (zero at rows of other modalities), the same layout as {@link NoiseHead}'s.
 *
 * <p>There are no skip connections from the {@link ConvPatchAdapter} to this head around the
 * transformer, as a whole U-Net would have: everything the head needs of an image must be carried
 * through the trunk's hidden rows. The rows it projects must be whole images, one after another
 * ({@code g²} rows each).
 */
public final class ConvNoiseHead extends AbstractBlock implements OutputHead {

    private static final byte VERSION = 1;
    private static final String WHO = "the conv noise head";

    private final PatchImages images;
    private final long dim;
    private final long channels;
    private final PatchConvTranspose unpatchify;
    private final Conv2d convMid;
    private final Conv2d convOut;

    /**
     * Creates the head.
     *
     * @param dim D
     * @param imageSide pixels along an image side
     * @param patchSide p, pixels along a patch side, dividing {@code imageSide}
     * @param channels C, channels of the full-resolution convolutions
     * @throws IllegalArgumentException if a size is not positive or p does not divide the side
     */
    public ConvNoiseHead(long dim, int imageSide, int patchSide, int channels) {
        super(VERSION);
        if (dim < 1
                || imageSide < 1
                || patchSide < 1
                || imageSide % patchSide != 0
                || channels < 1) {
            throw new IllegalArgumentException(
                    "ConvNoiseHead needs positive sizes and a patch side dividing the image side,"
                            + " got D="
                            + dim
                            + ", image side "
                            + imageSide
                            + ", patch side "
                            + patchSide
                            + ", C="
                            + channels);
        }
        this.images = new PatchImages(imageSide / patchSide, patchSide);
        this.dim = dim;
        this.channels = channels;
        unpatchify = addChildBlock("unpatchify", new PatchConvTranspose(dim, channels, patchSide));
        convMid = addChildBlock("conv_mid", ConvPatchAdapter.fullResolution(channels));
        convOut = addChildBlock("conv_out", ConvPatchAdapter.fullResolution(1));
    }

    /** The head a conv {@code diffusion} config asks for, at width {@code dim}. */
    public static ConvNoiseHead of(DiffusionConfig diffusion, long dim) {
        ConvPatchAdapter.requireConv(diffusion);
        return new ConvNoiseHead(
                dim, diffusion.imageSide(), diffusion.patchSide(), diffusion.convChannels());
    }

    @Override
    public String outputName() {
        return NoiseHead.OUTPUT;
    }

    @Override
    public long outputWidth() {
        return images.patch() * images.patch();
    }

    @Override
    public NDArray project(ParameterStore ps, NDArray hidden, boolean training) {
        if (hidden.getShape().get(0) == 0) {
            return hidden.getManager()
                    .zeros(new Shape(0, outputWidth()), hidden.getDataType(), hidden.getDevice());
        }
        NDArray x = images.rowsToMaps(hidden, WHO);
        x =
                ConvPatchAdapter.silu(
                        unpatchify.forward(ps, new NDList(x), training).singletonOrThrow());
        x = ConvPatchAdapter.silu(convMid.forward(ps, new NDList(x), training).singletonOrThrow());
        x = convOut.forward(ps, new NDList(x), training).singletonOrThrow();
        return images.toRows(x);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(project(ps, inputs.get(0), training));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        long side = images.imageSide();
        unpatchify.initialize(manager, dataType, new Shape(1, dim, images.grid(), images.grid()));
        convMid.initialize(manager, dataType, new Shape(1, channels, side, side));
        convOut.initialize(manager, dataType, new Shape(1, channels, side, side));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in.slice(0, in.dimension() - 1).add(outputWidth())};
    }

    /** C, channels of the full-resolution convolutions. */
    public long channels() {
        return channels;
    }

    /** p, pixels along a patch side. */
    public long patchSide() {
        return images.patch();
    }

    /** The transposed patchifying convolution, D to C channels at full resolution. */
    public PatchConvTranspose unpatchify() {
        return unpatchify;
    }

    /** The 3×3 convolution from C to C channels. */
    public Conv2d convMid() {
        return convMid;
    }

    /** The last 3×3 convolution, from C channels to the one-channel noise image. */
    public Conv2d convOut() {
        return convOut;
    }

    @Override
    public String toString() {
        return "ConvNoiseHead("
                + dim
                + " -> C="
                + channels
                + " -> "
                + images.imageSide()
                + "x"
                + images.imageSide()
                + " in "
                + patchSide()
                + "x"
                + patchSide()
                + ")";
    }
}
