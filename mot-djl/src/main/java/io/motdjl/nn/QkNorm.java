package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * QK-norm: RMSNorm over the head dimension of every query head and every key head, with one scale
 * vector for queries ({@code q_weight [hd]}) and one for keys ({@code k_weight [hd]}).
 *
 * <p>Input and output {@code (n, 3, H, hd)}: the queries, keys and values of {@code n} rows as the
 * attention's Q/K/V projection makes them; queries and keys are normalised together in one pass
 * (each then scaled by its own vector), values pass through unchanged.
 */
public final class QkNorm extends AbstractBlock {

    private static final byte VERSION = 1;

    private final long headDim;
    private final double eps;
    private final Parameter queryWeight;
    private final Parameter keyWeight;

    /**
     * Creates a QK-norm for heads of width {@code headDim}.
     *
     * @param headDim hd
     * @param eps added to the mean square
     */
    public QkNorm(long headDim, double eps) {
        super(VERSION);
        if (headDim <= 0 || !(eps > 0)) {
            throw new IllegalArgumentException(
                    "QkNorm needs a positive head_dim and eps, got " + headDim + ", " + eps);
        }
        this.headDim = headDim;
        this.eps = eps;
        queryWeight = addParameter(scale("q_weight"));
        keyWeight = addParameter(scale("k_weight"));
    }

    private Parameter scale(String name) {
        return Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.GAMMA)
                .optShape(new Shape(headDim))
                .build();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray qkv = inputs.singletonOrThrow();
        Shape shape = qkv.getShape();
        if (shape.dimension() != 4 || shape.get(1) != 3 || shape.tail() != headDim) {
            throw new IllegalArgumentException(
                    "QkNorm expects queries, keys and values (n, 3, H, "
                            + headDim
                            + "), got "
                            + shape);
        }
        NDList qkAndV = qkv.split(new long[] {2}, 1);
        NDArray qk = qkAndV.get(0);
        DataType type = qk.getDataType();
        boolean half = RmsNorm.isHalf(type);
        NDList normed =
                RmsNorm.normalize(
                                half ? qk.toType(DataType.FLOAT32, false) : qk,
                                eps,
                                ForwardContext.constantsOf(params, qk.getManager()))
                        .split(2, 1);
        NDArray q = normed.get(0).mul(scaleValue(ps, queryWeight, qk, training, half));
        NDArray k = normed.get(1).mul(scaleValue(ps, keyWeight, qk, training, half));
        if (half) {
            q = q.toType(type, false);
            k = k.toType(type, false);
        }
        return new NDList(NDArrays.concat(new NDList(q, k, qkAndV.get(1)), 1));
    }

    private static NDArray scaleValue(
            ParameterStore ps, Parameter p, NDArray like, boolean training, boolean half) {
        NDArray w = ps.getValue(p, like.getDevice(), training);
        return half ? w.toType(DataType.FLOAT32, false) : w;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    /** The query scale {@code [hd]} ({@code q_normalization}). */
    public Parameter queryWeight() {
        return queryWeight;
    }

    /** The key scale {@code [hd]} ({@code k_normalization}). */
    public Parameter keyWeight() {
        return keyWeight;
    }

    @Override
    public String toString() {
        return "QkNorm(" + headDim + ", eps=" + eps + ")";
    }
}
