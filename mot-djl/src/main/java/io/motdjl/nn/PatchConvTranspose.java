package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A transposed 2-d convolution whose kernel equals its stride ({@code p×p}): every input pixel
 * becomes one {@code p×p} block of the output, the blocks never overlap. Forward: {@code (N, C_in,
 * h, w)} to {@code (N, C_out, h·p, w·p)}, NCHW as DJL's convolutions.
 *
 * <p>This is PyTorch's {@code ConvTranspose2d(C_in, C_out, kernel_size=p, stride=p)}, with its
 * parameters in PyTorch's layout ({@code weight [C_in, C_out, p, p]}, {@code bias [C_out]}), so a
 * checkpoint moves between the two as is. It is written as one matmul per pixel and a reshuffle,
 * because DJL's {@code Conv2dTranspose} has no PyTorch-engine implementation (0.36's {@code
 * PtNDArrayEx.deconvolution} throws); without overlap the two are the same computation.
 *
 * <p>The weight is drawn He-normal over its true fan-in: an output value sums {@code C_in} inputs
 * (one pixel's channels), so its standard deviation is {@code √(2 / C_in)}. (Xavier's default would
 * read the fan-in from the shape's second axis, {@code C_out·p²}, as PyTorch does for this layout.)
 */
public final class PatchConvTranspose extends AbstractBlock {

    private static final byte VERSION = 1;

    private final long inChannels;
    private final long outChannels;
    private final long side;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * Creates the block.
     *
     * @param inChannels C_in
     * @param outChannels C_out
     * @param side p, the kernel's side and the stride
     * @throws IllegalArgumentException if a size is not positive
     */
    public PatchConvTranspose(long inChannels, long outChannels, long side) {
        super(VERSION);
        if (inChannels < 1 || outChannels < 1 || side < 1) {
            throw new IllegalArgumentException(
                    "PatchConvTranspose needs positive sizes, got C_in="
                            + inChannels
                            + ", C_out="
                            + outChannels
                            + ", p="
                            + side);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.side = side;
        float std = (float) Math.sqrt(2.0 / inChannels);
        weight =
                addParameter(
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.WEIGHT)
                                .optShape(new Shape(inChannels, outChannels, side, side))
                                .optInitializer(
                                        (manager, shape, type) ->
                                                manager.randomNormal(
                                                        0f, std, shape, type, manager.getDevice()))
                                .build());
        bias =
                addParameter(
                        Parameter.builder()
                                .setName("bias")
                                .setType(Parameter.Type.BIAS)
                                .optShape(new Shape(outChannels))
                                .build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape in = x.getShape();
        if (in.dimension() != 4 || in.get(1) != inChannels) {
            throw new IllegalArgumentException(
                    "PatchConvTranspose expects (N, " + inChannels + ", h, w), got " + in);
        }
        long n = in.get(0);
        long h = in.get(2);
        long w = in.get(3);
        NDArray k = ps.getValue(weight, x.getDevice(), training);
        NDArray b = ps.getValue(bias, x.getDevice(), training);
        // each pixel's channels times the kernel: one (C_out, p, p) block per pixel
        NDArray blocks =
                x.transpose(0, 2, 3, 1)
                        .reshape(n * h * w, inChannels)
                        .matMul(k.reshape(inChannels, outChannels * side * side));
        // (N, h, w, C_out, p, p) -> (N, C_out, h, p, w, p): block (i, j) lands at rows i·p..
        NDArray out =
                blocks.reshape(n, h, w, outChannels, side, side)
                        .transpose(0, 3, 1, 4, 2, 5)
                        .reshape(n, outChannels, h * side, w * side);
        return new NDList(out.add(b.reshape(1, outChannels, 1, 1)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), outChannels, in.get(2) * side, in.get(3) * side)};
    }

    /** The weight {@code [C_in, C_out, p, p]}. */
    public Parameter weight() {
        return weight;
    }

    /** The bias {@code [C_out]}. */
    public Parameter bias() {
        return bias;
    }

    @Override
    public String toString() {
        return "PatchConvTranspose("
                + inChannels
                + " -> "
                + outChannels
                + ", "
                + side
                + "x"
                + side
                + ", stride "
                + side
                + ")";
    }
}
