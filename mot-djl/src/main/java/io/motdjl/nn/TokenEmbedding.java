package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * A token embedding table {@code weight [V, D]} (initialised N(0, 0.02²)): the input adapter of
 * discrete tokens over one joint vocabulary, shared by every modality in the Chameleon setting.
 * Forward: token ids of any shape to {@code (..., D)}.
 */
public final class TokenEmbedding extends AbstractBlock implements InputAdapter {

    private static final byte VERSION = 1;

    private final long vocabSize;
    private final long dim;
    private final Parameter weight;

    /**
     * Creates an embedding table of {@code vocabSize} tokens of width {@code dim}.
     *
     * @param vocabSize V
     * @param dim D
     */
    public TokenEmbedding(long vocabSize, long dim) {
        super(VERSION);
        this.vocabSize = vocabSize;
        this.dim = dim;
        weight = addParameter(vocabularyMatrix(vocabSize, dim));
    }

    /**
     * A {@code weight [V, D]} parameter initialised N(0, 0.02²), as the reference initialises its
     * token embedding and output head.
     */
    static Parameter vocabularyMatrix(long vocabSize, long dim) {
        return Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(vocabSize, dim))
                .optInitializer(new NormalInitializer(0.02f))
                .build();
    }

    @Override
    public NDArray embed(ParameterStore ps, MoTInputs inputs, NDArray rows, boolean training) {
        NDArray ids = inputs.tokens().toType(DataType.INT64, false).reshape(-1);
        if (rows != null) {
            ids = ids.get(new NDIndex("{}", rows));
        }
        return lookup(ps, ids, training);
    }

    private NDArray lookup(ParameterStore ps, NDArray ids, boolean training) {
        NDArray table = ps.getValue(weight, ids.getDevice(), training);
        return Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.get(0);
        if (!ids.getDataType().isInteger()) {
            throw new IllegalArgumentException(
                    "token ids must be integers, got " + ids.getDataType());
        }
        return new NDList(lookup(ps, ids.toType(DataType.INT64, false), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(dim)};
    }

    /** The table {@code [V, D]}. */
    public Parameter weight() {
        return weight;
    }

    @Override
    public String toString() {
        return "TokenEmbedding(" + vocabSize + ", " + dim + ")";
    }
}
