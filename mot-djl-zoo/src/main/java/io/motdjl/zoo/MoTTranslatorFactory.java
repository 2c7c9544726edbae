package io.motdjl.zoo;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorFactory;
import ai.djl.util.Pair;
import io.motdjl.nn.MoTModel;
import java.lang.reflect.Type;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The translators of MoT models, by input and output type:
 *
 * <ul>
 *   <li>{@code NDList → NDList}: {@link MoTScoringTranslator} — arrays in the {@link
 *       io.motdjl.nn.MoTInputs} layout in; logits, loss and loss per modality out;
 *   <li>{@link MoTSequence} → {@link MoTScore}: {@link SequenceScoringTranslator} — one token
 *       sequence in; its next-token loss, loss per modality and target log-probabilities out.
 * </ul>
 *
 * Each is built for the model it serves (its config from the {@link MoTModel} block; the image
 * tokenizer, for translators that need it, from {@link MoTCheckpoint#imageTokenizer(Model)}).
 * Generation translators (text continuation, caption to image, image to caption) are to be added
 * here as further entries of {@link #TRANSLATORS}.
 */
public class MoTTranslatorFactory implements TranslatorFactory {

    /** Makes a translator for a loaded model. */
    @FunctionalInterface
    interface Maker {
        Translator<?, ?> make(MoTModel block, Model model, Map<String, ?> arguments)
                throws TranslateException;
    }

    private static final Map<Pair<Type, Type>, Maker> TRANSLATORS = translators();

    private static Map<Pair<Type, Type>, Maker> translators() {
        Map<Pair<Type, Type>, Maker> map = new LinkedHashMap<>();
        map.put(
                new Pair<>(NDList.class, NDList.class),
                (block, model, args) -> new MoTScoringTranslator(block.config().nModalities()));
        map.put(
                new Pair<>(MoTSequence.class, MoTScore.class),
                (block, model, args) -> new SequenceScoringTranslator(block.config()));
        return Collections.unmodifiableMap(map);
    }

    @Override
    public Set<Pair<Type, Type>> getSupportedTypes() {
        return TRANSLATORS.keySet();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <I, O> Translator<I, O> newInstance(
            Class<I> input, Class<O> output, Model model, Map<String, ?> arguments)
            throws TranslateException {
        Maker maker = TRANSLATORS.get(new Pair<Type, Type>(input, output));
        if (maker == null) {
            throw new TranslateException(
                    "no MoT translator from " + input.getName() + " to " + output.getName()
                            + "; supported: " + describe(getSupportedTypes()));
        }
        if (!(model.getBlock() instanceof MoTModel block)) {
            throw new TranslateException(
                    "model '" + model.getName() + "' has no MoTModel block (it has "
                            + (model.getBlock() == null ? "none" : model.getBlock().getClass().getName())
                            + ")");
        }
        return (Translator<I, O>) maker.make(block, model, arguments);
    }

    /** E.g. {@code (NDList, NDList), (MoTSequence, MoTScore)}. */
    static String describe(Set<Pair<Type, Type>> types) {
        StringBuilder s = new StringBuilder();
        for (Pair<Type, Type> p : types) {
            if (s.length() > 0) {
                s.append(", ");
            }
            s.append('(').append(simpleName(p.getKey())).append(", ").append(simpleName(p.getValue())).append(')');
        }
        return s.toString();
    }

    private static String simpleName(Type type) {
        return type instanceof Class<?> c ? c.getSimpleName() : type.getTypeName();
    }
}
