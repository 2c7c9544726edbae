package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A block with one parameter set per modality (or a single shared set when the component is
 * tied). Subclasses define what one set computes on the rows of its modality; standalone, the
 * block routes its input by the {@link ForwardContext}'s modality routing.
 */
public abstract class UntiedBlock extends AbstractBlock {

    private final int numModalities;
    private final List<Parameter> weights = new ArrayList<>();

    /**
     * @param version serialization version
     * @param numModalities M
     * @param untied whether each modality has its own set
     * @param weightShape shape of one set's weight
     * @param type parameter type (decides the default initializer)
     */
    protected UntiedBlock(
            byte version, int numModalities, boolean untied, Shape weightShape, Parameter.Type type) {
        super(version);
        this.numModalities = numModalities;
        int sets = untied ? numModalities : 1;
        for (int s = 0; s < sets; s++) {
            weights.add(
                    addParameter(
                            Parameter.builder()
                                    .setName("weight_" + s)
                                    .setType(type)
                                    .optShape(weightShape)
                                    .build()));
        }
    }

    /** Whether each modality has its own parameter set. */
    public boolean isUntied() {
        return weights.size() > 1;
    }

    /** Number of modalities M the block serves. */
    public int numModalities() {
        return numModalities;
    }

    /** The parameter set used by modality {@code m} (set 0 for every modality when tied). */
    public Parameter weightFor(int m) {
        return weights.get(isUntied() ? m : 0);
    }

    /** The stored parameter sets in order (one when tied). */
    public List<Parameter> weights() {
        return Collections.unmodifiableList(weights);
    }

    /**
     * Applies modality {@code m}'s parameters to rows that all belong to {@code m}.
     *
     * @param ps the parameter store
     * @param rows input rows
     * @param m modality id
     * @param training whether this is a training pass
     * @return the output rows
     */
    public NDArray apply(ParameterStore ps, NDArray rows, int m, boolean training) {
        return compute(rows, value(ps, m, rows.getDevice(), training));
    }

    /**
     * The weight array modality {@code m} uses, from the parameter store.
     *
     * @param ps the parameter store
     * @param m modality id
     * @param device where it is needed
     * @param training whether this is a training pass
     * @return the weight
     */
    public NDArray value(ParameterStore ps, int m, ai.djl.Device device, boolean training) {
        return ps.getValue(weightFor(m), device, training);
    }

    /** What one parameter set computes. */
    protected abstract NDArray compute(NDArray rows, NDArray weight);

    /** Width of the last input axis. */
    protected abstract long inputWidth();

    /** Width of the last output axis. */
    protected abstract long outputWidth();

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape shape = x.getShape();
        if (shape.tail() != inputWidth()) {
            throw new IllegalArgumentException(
                    getClass().getSimpleName()
                            + " expects the last axis to be "
                            + inputWidth()
                            + ", got shape "
                            + shape);
        }
        if (!isUntied()) {
            return new NDList(apply(ps, x, 0, training));
        }
        ForwardContext context = ForwardContext.from(params, getClass().getSimpleName());
        NDArray rows = x.reshape(-1, inputWidth());
        NDArray y = context.routing().apply(rows, (r, m) -> apply(ps, r, m, training));
        return new NDList(y.reshape(shape.slice(0, shape.dimension() - 1).add(outputWidth())));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in.slice(0, in.dimension() - 1).add(outputWidth())};
    }

}
