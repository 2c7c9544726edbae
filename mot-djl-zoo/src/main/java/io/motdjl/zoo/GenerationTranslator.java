package io.motdjl.zoo;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.translate.Batchifier;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;

import io.motdjl.nn.MoTModel;

import java.util.ArrayList;
import java.util.List;

/**
 * A translator whose prediction is a generation loop (many forward passes with a key/value cache)
 * rather than one forward pass, fitted into DJL's {@code Predictor} flow:
 *
 * <ol>
 *   <li>{@link #batchProcessInput} checks and converts every input (no arrays outlive it) and keeps
 *       them in the prediction's context. It returns an empty {@link NDList}, for which DJL's
 *       {@code Predictor} runs no forward pass;
 *   <li>{@link #batchProcessOutput} runs the library's generator ({@code io.motdjl.generate}) on
 *       the context's model block, with the prediction's {@link NDManager} ({@code
 *       ctx.getNDManager()}): every array the generation makes is closed as it goes or, at the
 *       latest, when the {@code Predictor} closes the context at the end of the prediction.
 * </ol>
 *
 * {@code predict(x)} generates for one input; {@code batchPredict(xs)} generates for all of them
 * together, as one left-padded batch. Sampling is seeded per row (from the seed and the row's index
 * in the batch), so the same input in the same position gives the same output, and repeated inputs
 * in one batch give different samples. With greedy decoding the position does not matter.
 *
 * <p>The outputs are plain Java objects: nothing a prediction returns holds native memory. An
 * instance keeps no per-prediction state and may serve several predictors at once.
 *
 * @param <I> the input type
 * @param <P> the checked, converted input the generator takes
 * @param <O> the output type
 */
public abstract class GenerationTranslator<I, P, O> implements Translator<I, O> {

    private static final String INPUTS = "mot.generation.inputs";

    private final GenerationOptions options;

    /** A translator that generates with {@code options}. */
    protected GenerationTranslator(GenerationOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("generation options are required");
        }
        this.options = options;
    }

    /** How tokens are drawn and how many. */
    public GenerationOptions options() {
        return options;
    }

    /**
     * Checks and converts one input.
     *
     * @param ctx the prediction's context (its manager for temporary arrays)
     * @param input the input
     * @return what {@link #generate} takes
     * @throws IllegalArgumentException if the input cannot be used
     */
    protected abstract P readInput(TranslatorContext ctx, I input);

    /**
     * Generates one output per input.
     *
     * @param model the model block
     * @param manager the prediction's manager
     * @param inputs what {@link #readInput} returned, in order
     * @return one output per input, in order
     * @throws IllegalArgumentException if the generation cannot be done (e.g. a prompt too long)
     */
    protected abstract List<O> generate(MoTModel model, NDManager manager, List<P> inputs);

    /**
     * A caption input as it is, for the translators that start from one.
     *
     * @throws IllegalArgumentException if there is none
     */
    protected static String requireCaption(String caption) {
        if (caption == null) {
            throw new IllegalArgumentException("no caption given");
        }
        return caption;
    }

    /**
     * Not used to stack arrays (the batch methods are overridden); it is not null so that DJL's
     * {@code Predictor} hands a {@code batchPredict} to {@link #batchProcessInput} as one batch.
     */
    @Override
    public Batchifier getBatchifier() {
        return Batchifier.STACK;
    }

    @Override
    public NDList batchProcessInput(TranslatorContext ctx, List<I> inputs)
            throws TranslateException {
        if (inputs == null || inputs.isEmpty()) {
            throw new TranslateException("nothing to generate for: no input given");
        }
        List<P> read = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            try {
                read.add(readInput(ctx, inputs.get(i)));
            } catch (IllegalArgumentException e) {
                throw new TranslateException(
                        (inputs.size() == 1 ? "" : "input " + i + ": ") + e.getMessage(), e);
            }
        }
        ctx.setAttachment(INPUTS, read);
        return new NDList();
    }

    @Override
    public List<O> batchProcessOutput(TranslatorContext ctx, NDList list)
            throws TranslateException {
        @SuppressWarnings("unchecked")
        List<P> inputs = (List<P>) ctx.getAttachment(INPUTS);
        if (inputs == null) {
            throw new TranslateException(
                    "no inputs in the translator context: batchProcessInput must come first");
        }
        MoTModel block = block(ctx.getModel());
        try {
            return generate(block, ctx.getNDManager(), inputs);
        } catch (IllegalArgumentException e) {
            throw new TranslateException(e.getMessage(), e);
        }
    }

    @Override
    public NDList processInput(TranslatorContext ctx, I input) throws TranslateException {
        return batchProcessInput(ctx, java.util.Collections.singletonList(input));
    }

    @Override
    public O processOutput(TranslatorContext ctx, NDList list) throws TranslateException {
        return batchProcessOutput(ctx, list).get(0);
    }

    /** The model's MoT block. */
    static MoTModel block(Model model) throws TranslateException {
        if (model != null && model.getBlock() instanceof MoTModel block) {
            return block;
        }
        throw new TranslateException(
                "a MoT generation translator needs a model whose block is a MoTModel, got "
                        + (model == null || model.getBlock() == null
                                ? "none"
                                : model.getBlock().getClass().getName()));
    }
}
