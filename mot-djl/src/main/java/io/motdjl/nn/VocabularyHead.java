package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The output projection over a joint vocabulary, {@code weight [V, D]} (bias-free, initialised N(0,
 * 0.02²)): hidden rows to next-token logits, the model output {@value #OUTPUT}.
 */
public final class VocabularyHead extends AbstractBlock implements OutputHead {

    /** The name of the output this head produces. */
    public static final String OUTPUT = "logits";

    private static final byte VERSION = 1;

    private final long vocabSize;
    private final long dim;
    private final Parameter weight;

    /**
     * Creates a projection from width {@code dim} to {@code vocabSize} logits.
     *
     * @param vocabSize V
     * @param dim D
     */
    public VocabularyHead(long vocabSize, long dim) {
        super(VERSION);
        this.vocabSize = vocabSize;
        this.dim = dim;
        weight = addParameter(TokenEmbedding.vocabularyMatrix(vocabSize, dim));
    }

    @Override
    public String outputName() {
        return OUTPUT;
    }

    @Override
    public long outputWidth() {
        return vocabSize;
    }

    @Override
    public NDArray project(ParameterStore ps, NDArray hidden, boolean training) {
        NDArray w = ps.getValue(weight, hidden.getDevice(), training);
        return Linear.linear(hidden, w).singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(project(ps, inputs.get(0), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in.slice(0, in.dimension() - 1).add(vocabSize)};
    }

    /** The projection {@code [V, D]}. */
    public Parameter weight() {
        return weight;
    }

    @Override
    public String toString() {
        return "VocabularyHead(" + dim + " -> " + vocabSize + ")";
    }
}
