package io.motdjl.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import io.motdjl.config.MoTConfig;
import io.motdjl.nn.KeyValueCache;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntUnaryOperator;

/**
 * Autoregressive generation with a {@link MoTModel}: batches of prompts of different lengths,
 * decoded together, with a {@link DecodingRule} deciding which tokens may come next and a {@link
 * TokenSampler} drawing them. Each generated token's modality id follows from its token id, so the
 * next pass routes it through its own modality's parameters.
 *
 * <p>Prompts are left-padded to the longest; padding is masked out of attention. With the key/value
 * cache (the default) the prompts run once (prefill) and every further pass computes one token per
 * row; without it every pass re-runs the whole prefix. Every array a pass makes lives in a
 * sub-manager closed at the end of the pass.
 */
public final class Generator {

    private static final Logger LOG = LoggerFactory.getLogger(Generator.class);

    /** Token fed to padding positions (masked out, any id in the vocabulary will do). */
    private static final int PAD_INPUT = 0;

    private final MoTModel model;
    private final NDManager manager;
    private final IntUnaryOperator modalityOf;

    /**
     * Creates a generator over a model.
     *
     * @param model an initialised model
     * @param manager the manager its parameters live in (e.g. {@code Model.getNDManager()}); each
     *     pass makes a sub-manager of it
     * @param modalityOf the modality id of a token id
     */
    public Generator(MoTModel model, NDManager manager, IntUnaryOperator modalityOf) {
        this.model = model;
        this.manager = manager;
        this.modalityOf = modalityOf;
    }

    /**
     * A generator whose token modalities come from the config's {@code modality_token_ranges}.
     *
     * @throws IllegalArgumentException if the config has none
     */
    public static Generator withConfigRanges(MoTModel model, NDManager manager) {
        long[][] ranges = model.config().modalityTokenRanges();
        if (ranges == null) {
            throw new IllegalArgumentException(
                    "the config has no modality_token_ranges: give the token → modality map"
                            + " explicitly");
        }
        return new Generator(
                model,
                manager,
                token -> {
                    for (int m = 0; m < ranges.length; m++) {
                        if (token >= ranges[m][0] && token < ranges[m][1]) {
                            return m;
                        }
                    }
                    throw new IllegalArgumentException(
                            "token " + token + " lies in no modality's token range");
                });
    }

    /** The model. */
    public MoTModel model() {
        return model;
    }

    /** The modality id of {@code token}. */
    public int modalityOf(int token) {
        return modalityOf.applyAsInt(token);
    }

    /**
     * Continues every prompt.
     *
     * @param prompts one or more prompts, each at least one token
     * @param settings length limit, stop tokens, sampling, cache
     * @param rule which tokens may come next
     * @return one generation per prompt, in order
     */
    public List<Generation> generate(
            List<int[]> prompts, GenerationSettings settings, DecodingRule rule) {
        MoTConfig config = model.config();
        int rows = prompts.size();
        if (rows == 0) {
            throw new IllegalArgumentException("no prompt to continue");
        }
        int longest = 0;
        for (int b = 0; b < rows; b++) {
            int[] prompt = prompts.get(b);
            if (prompt == null || prompt.length == 0) {
                throw new IllegalArgumentException(
                        "prompt " + b + " is empty: give at least one token");
            }
            for (int token : prompt) {
                if (token < 0 || token >= config.vocabSize()) {
                    throw new IllegalArgumentException(
                            "prompt "
                                    + b
                                    + " holds token "
                                    + token
                                    + ", outside the vocabulary [0, "
                                    + config.vocabSize()
                                    + ")");
                }
            }
            longest = Math.max(longest, prompt.length);
        }
        int capacity = longest + settings.maxNewTokens();
        if (capacity > config.maxSeqLen()) {
            throw new IllegalArgumentException(
                    "the longest prompt ("
                            + longest
                            + " tokens) plus "
                            + settings.maxNewTokens()
                            + " new tokens exceeds the model's max_seq_len "
                            + config.maxSeqLen());
        }
        Rows state = new Rows(rows, capacity, longest);
        List<DecodingRule.RowState> rowStates = new ArrayList<>(rows);
        for (int b = 0; b < rows; b++) {
            int[] prompt = prompts.get(b);
            rowStates.add(rule.start(prompt));
            state.putPrompt(b, prompt, modalityOf);
        }
        TokenSampler sampler = new TokenSampler(settings.sampling());
        SplittableRandom[] randoms = new SplittableRandom[rows];
        for (int b = 0; b < rows; b++) {
            randoms[b] = sampler.randomForRow(b);
        }
        ParameterStore ps = new ParameterStore(manager, false);
        DataType type = model.dataType();
        KeyValueCache cache =
                settings.useCache()
                        ? new KeyValueCache(
                                config, rows, capacity, manager, type, manager.getDevice())
                        : null;
        try {
            float[] logits = lastLogits(ps, state, 0, longest, cache);
            int vocab = config.vocabSize();
            boolean[] allowed = new boolean[vocab];
            float[] row = new float[vocab];
            for (int step = 0; step < settings.maxNewTokens(); step++) {
                for (int b = 0; b < rows; b++) {
                    if (state.finished[b]) {
                        state.append(b, PAD_INPUT, modalityOf(PAD_INPUT), false);
                        continue;
                    }
                    System.arraycopy(logits, b * vocab, row, 0, vocab);
                    rowStates.get(b).allowed(allowed);
                    int token = sampler.sample(row, allowed, randoms[b]);
                    rowStates.get(b).accept(token);
                    state.append(b, token, modalityOf(token), true);
                    if (settings.isStop(token)) {
                        state.finished[b] = true;
                    }
                }
                state.length++;
                if (state.allFinished() || step == settings.maxNewTokens() - 1) {
                    break;
                }
                logits =
                        settings.useCache()
                                ? lastLogits(ps, state, state.length - 1, state.length, cache)
                                : lastLogits(ps, state, 0, state.length, null);
            }
        } finally {
            if (cache != null) {
                cache.close();
            }
        }
        LOG.debug("generated up to {} tokens for {} prompt(s)", state.length - longest, rows);
        List<Generation> out = new ArrayList<>(rows);
        for (int b = 0; b < rows; b++) {
            out.add(state.generation(b, settings));
        }
        return out;
    }

    /** Runs positions {@code [from, to)} of every row and returns the logits at {@code to-1}. */
    private float[] lastLogits(
            ParameterStore ps, Rows state, int from, int to, KeyValueCache cache) {
        int rows = state.rows;
        int n = to - from;
        long[] tokens = new long[rows * n];
        long[] modalities = new long[rows * n];
        long[] valid = new long[rows * n];
        for (int b = 0; b < rows; b++) {
            for (int t = 0; t < n; t++) {
                tokens[b * n + t] = state.tokens[b][from + t];
                modalities[b * n + t] = state.modalities[b][from + t];
                valid[b * n + t] = state.valid[b][from + t] ? 1 : 0;
            }
        }
        try (NDManager pass = manager.newSubManager()) {
            Shape shape = new Shape(rows, n);
            MoTInputs in =
                    MoTInputs.of(pass.create(tokens, shape), pass.create(modalities, shape))
                            .withValidTokens(pass.create(valid, shape));
            NDArray logits =
                    model.forward(ps, in.toNDList(), false, cache == null ? null : cache.asParam())
                            .head();
            NDArray last = logits.get(new NDIndex(":, -1, :"));
            return last.toType(DataType.FLOAT32, false).toFloatArray();
        }
    }

    /** The rows being decoded: left-padded prompts followed by generated tokens. */
    private static final class Rows {
        final int rows;
        final int promptLength;
        final int[][] tokens;
        final int[][] modalities;
        final boolean[][] valid;
        final boolean[] finished;
        final int[] generated;
        int length;

        Rows(int rows, int capacity, int promptLength) {
            this.rows = rows;
            this.promptLength = promptLength;
            this.tokens = new int[rows][capacity];
            this.modalities = new int[rows][capacity];
            this.valid = new boolean[rows][capacity];
            this.finished = new boolean[rows];
            this.generated = new int[rows];
            this.length = promptLength;
        }

        void putPrompt(int b, int[] prompt, IntUnaryOperator modalityOf) {
            int offset = promptLength - prompt.length;
            for (int t = 0; t < prompt.length; t++) {
                tokens[b][offset + t] = prompt[t];
                modalities[b][offset + t] = modalityOf.applyAsInt(prompt[t]);
                valid[b][offset + t] = true;
            }
        }

        void append(int b, int token, int modality, boolean real) {
            tokens[b][length] = token;
            modalities[b][length] = modality;
            valid[b][length] = real;
            if (real) {
                generated[b]++;
            }
        }

        boolean allFinished() {
            for (boolean f : finished) {
                if (!f) {
                    return false;
                }
            }
            return true;
        }

        Generation generation(int b, GenerationSettings settings) {
            int n = generated[b];
            int[] out = new int[n];
            int[] mods = new int[n];
            System.arraycopy(tokens[b], promptLength, out, 0, n);
            System.arraycopy(modalities[b], promptLength, mods, 0, n);
            return new Generation(
                    out,
                    mods,
                    finished[b] ? Generation.StopReason.STOP_TOKEN : Generation.StopReason.LENGTH);
        }
    }
}
