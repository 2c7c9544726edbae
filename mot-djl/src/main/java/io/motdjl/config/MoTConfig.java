package io.motdjl.config;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;

import io.motdjl.io.AtomicFiles;
import io.motdjl.io.StrictJson;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Everything that defines a MoT model's shape and math. Immutable; built with {@link #builder()} or
 * read from the {@code config.json} schema of the reference layout (snake_case keys).
 *
 * <p>A dense baseline is the same config with {@code nModalities = 1} (or with {@link Untie#NONE});
 * the model code is the same either way.
 *
 * <p>The optional {@code towers} key maps each modality to a parameter set ("tower") of every
 * untied component: {@code [0, 1, 1]} gives modality 0 a tower of its own and lets modalities 1 and
 * 2 share one (the paper's two-tower variants, §4). Without it every modality has a tower of its
 * own, and that identity mapping is never written back, so older configs read and write exactly as
 * before.
 */
public record MoTConfig(
        int vocabSize,
        int dim,
        int nLayers,
        int nHeads,
        int headDim,
        int ffnHiddenDim,
        int nModalities,
        NormOrder normOrder,
        boolean qkNorm,
        double normEps,
        double ropeTheta,
        RopeStyle ropeStyle,
        int maxSeqLen,
        Untie untie,
        long[][] modalityTokenRanges,
        MoeConfig moe,
        DiffusionConfig diffusion,
        int[] towers) {

    private static final Set<String> KEYS =
            Set.of(
                    "vocab_size",
                    "dim",
                    "n_layers",
                    "n_heads",
                    "head_dim",
                    "ffn_hidden_dim",
                    "n_modalities",
                    "norm_order",
                    "qk_norm",
                    "norm_eps",
                    "rope_theta",
                    "rope_style",
                    "max_seq_len",
                    "untie",
                    "modality_token_ranges",
                    "moe",
                    "diffusion",
                    "towers");
    private static final Set<String> UNTIE_KEYS = Set.of("attention", "ffn", "norms");
    private static final Set<String> MOE_KEYS =
            Set.of("experts", "routing", "top_k", "capacity_factor", "modalities");
    private static final Set<String> DIFFUSION_KEYS =
            Set.of(
                    "modality",
                    "patch_values",
                    "timesteps",
                    "patch_encoder",
                    "image_side",
                    "patch_side",
                    "conv_channels");

    /**
     * The canonical constructor: checks every value. {@code headDim} 0 means {@code dim / nHeads};
     * {@code modalityTokenRanges} may be null (no constraint) and is copied; {@code moe} is null
     * when every feed-forward is one SwiGLU; {@code diffusion} is null outside the Transfusion
     * setting; {@code towers} (copied) is the tower index of each modality, or null for one tower
     * per modality.
     *
     * @throws IllegalArgumentException naming every invalid value
     */
    public MoTConfig(
            int vocabSize,
            int dim,
            int nLayers,
            int nHeads,
            int headDim,
            int ffnHiddenDim,
            int nModalities,
            NormOrder normOrder,
            boolean qkNorm,
            double normEps,
            double ropeTheta,
            RopeStyle ropeStyle,
            int maxSeqLen,
            Untie untie,
            long[][] modalityTokenRanges,
            MoeConfig moe,
            DiffusionConfig diffusion,
            int[] towers) {
        this.vocabSize = vocabSize;
        this.dim = dim;
        this.nLayers = nLayers;
        this.nHeads = nHeads;
        // 0 means "derive"; a negative head_dim is an error below, never silently replaced
        this.headDim = headDim == 0 && nHeads > 0 ? dim / nHeads : headDim;
        this.ffnHiddenDim = ffnHiddenDim;
        this.nModalities = nModalities;
        this.normOrder = Objects.requireNonNull(normOrder, "normOrder");
        this.qkNorm = qkNorm;
        this.normEps = normEps;
        this.ropeTheta = ropeTheta;
        this.ropeStyle = Objects.requireNonNull(ropeStyle, "ropeStyle");
        this.maxSeqLen = maxSeqLen;
        this.untie = Objects.requireNonNull(untie, "untie");
        this.modalityTokenRanges =
                modalityTokenRanges == null ? null : deepCopy(modalityTokenRanges);
        this.moe = moe;
        this.diffusion = diffusion;
        // the default mapping is kept as null: never materialised, never written
        this.towers = isDefault(towers, nModalities) ? null : towers.clone();
        validate();
    }

    /** Starts a builder with small defaults (a MoT with two modalities, Chameleon norm order). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's values, for making a variant. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.vocabSize = vocabSize;
        b.dim = dim;
        b.nLayers = nLayers;
        b.nHeads = nHeads;
        b.headDim = headDim;
        b.ffnHiddenDim = ffnHiddenDim;
        b.nModalities = nModalities;
        b.normOrder = normOrder;
        b.qkNorm = qkNorm;
        b.normEps = normEps;
        b.ropeTheta = ropeTheta;
        b.ropeStyle = ropeStyle;
        b.maxSeqLen = maxSeqLen;
        b.untie = untie;
        b.modalityTokenRanges = modalityTokenRanges;
        b.moe = moe;
        b.diffusion = diffusion;
        // the identity stays implicit, so that a variant with another n_modalities needs no towers
        b.towers = towers == null ? null : towers.clone();
        return b;
    }

    /**
     * The dense twin: same sizes, one modality, so that MoT and dense run through one code path.
     * Modality token ranges are dropped (a dense model accepts every token everywhere), and so is
     * any mixture of experts (the twin's feed-forward is one SwiGLU) and the towers (one modality
     * has one tower). A Transfusion config has no one-modality twin (its image rows need their own
     * adapter and head): use {@link Untie#NONE}.
     *
     * @throws IllegalStateException for a Transfusion config
     */
    public MoTConfig denseTwin() {
        if (diffusion != null) {
            throw new IllegalStateException(
                    "a Transfusion config keeps its modalities (the image rows have their own"
                            + " adapter and head); its dense baseline ties every component"
                            + " instead: toBuilder().untie(Untie.NONE)");
        }
        return toBuilder()
                .nModalities(1)
                .modalityTokenRanges(null)
                .moe(null)
                .towers((int[]) null)
                .build();
    }

    private void validate() {
        List<String> errors = new ArrayList<>();
        positive(errors, "vocab_size", vocabSize);
        positive(errors, "dim", dim);
        positive(errors, "n_layers", nLayers);
        positive(errors, "n_heads", nHeads);
        positive(errors, "head_dim", headDim);
        positive(errors, "ffn_hidden_dim", ffnHiddenDim);
        positive(errors, "n_modalities", nModalities);
        positive(errors, "max_seq_len", maxSeqLen);
        // in long: an int product can wrap around to dim (4 * (2^30 + 8) == 32 in int)
        if (nHeads > 0 && dim > 0 && headDim > 0 && (long) headDim * nHeads != dim) {
            if (dim % nHeads != 0) {
                errors.add(
                        "n_heads ("
                                + nHeads
                                + ") must divide dim ("
                                + dim
                                + ") unless head_dim is given with n_heads * head_dim == dim;"
                                + " got head_dim "
                                + headDim);
            } else {
                errors.add(
                        "n_heads * head_dim must equal dim: "
                                + nHeads
                                + " * "
                                + headDim
                                + " != "
                                + dim);
            }
        }
        if (headDim > 0 && headDim % 2 != 0) {
            errors.add("head_dim must be even for rotary embeddings, got " + headDim);
        }
        if (!(normEps > 0) || Double.isInfinite(normEps)) {
            errors.add("norm_eps must be a positive finite number, got " + normEps);
        }
        if (!(ropeTheta > 0) || Double.isInfinite(ropeTheta)) {
            errors.add("rope_theta must be a positive finite number, got " + ropeTheta);
        }
        if (modalityTokenRanges != null) {
            validateRanges(errors);
        }
        // the mixture's sets are towers: only checked against a valid mapping
        if (validTowers(errors) && moe != null) {
            validateMoeSets(errors);
        }
        if (diffusion != null && diffusion.modality() >= nModalities) {
            errors.add(
                    "diffusion.modality is "
                            + diffusion.modality()
                            + ", outside the modality ids [0, "
                            + nModalities
                            + ")");
        }
        if (diffusion != null && dim % 2 != 0) {
            errors.add("dim must be even for the diffusion timestep embedding, got " + dim);
        }
        if (diffusion != null
                && diffusion.patchEncoder() == PatchEncoder.CONV
                && diffusion.imageRows() > maxSeqLen) {
            errors.add(
                    "the conv patch encoder reads whole images of "
                            + diffusion.imageRows()
                            + " rows (diffusion.image_side / diffusion.patch_side squared),"
                            + " more than max_seq_len "
                            + maxSeqLen);
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("Invalid MoT config: " + String.join("; ", errors));
        }
    }

    private void validateRanges(List<String> errors) {
        if (modalityTokenRanges.length != nModalities) {
            errors.add(
                    "modality_token_ranges must have one [start, end) pair per modality ("
                            + nModalities
                            + "), got "
                            + modalityTokenRanges.length);
            return;
        }
        for (int m = 0; m < modalityTokenRanges.length; m++) {
            long[] r = modalityTokenRanges[m];
            if (r == null || r.length != 2 || r[0] < 0 || r[0] >= r[1] || r[1] > vocabSize) {
                errors.add(
                        "modality_token_ranges["
                                + m
                                + "] must be [start, end) with 0 <= start < end <= vocab_size ("
                                + vocabSize
                                + "), got "
                                + Arrays.toString(r));
                return;
            }
        }
        // a token's modality must follow from its id (generation reads it back that way)
        for (int a = 0; a < modalityTokenRanges.length; a++) {
            for (int b = a + 1; b < modalityTokenRanges.length; b++) {
                long[] x = modalityTokenRanges[a];
                long[] y = modalityTokenRanges[b];
                if (x[0] < y[1] && y[0] < x[1]) {
                    errors.add(
                            "modality_token_ranges must not overlap, but modality "
                                    + a
                                    + "'s "
                                    + Arrays.toString(x)
                                    + " and modality "
                                    + b
                                    + "'s "
                                    + Arrays.toString(y)
                                    + " share ids ["
                                    + Math.max(x[0], y[0])
                                    + ", "
                                    + Math.min(x[1], y[1])
                                    + ")");
                }
            }
        }
    }

    /**
     * The towers must give each modality an index in {@code [0, K)} with every tower used.
     *
     * @return whether they do (else the reason is in {@code errors})
     */
    private boolean validTowers(List<String> errors) {
        if (towers == null) {
            return true;
        }
        String shown = Arrays.toString(towers);
        if (towers.length != nModalities) {
            errors.add(
                    "towers must hold one tower index per modality (n_modalities = "
                            + nModalities
                            + "), got "
                            + towers.length
                            + ": "
                            + shown);
            return false;
        }
        // the smallest unused index is at most M, so M + 1 flags find it for any values
        boolean[] used = new boolean[nModalities + 1];
        int most = 0;
        for (int t : towers) {
            if (t < 0) {
                errors.add("towers holds a negative tower index " + t + " in " + shown);
                return false;
            }
            if (t <= nModalities) {
                used[t] = true;
            }
            most = Math.max(most, t);
        }
        for (int t = 0; t < most; t++) {
            if (!used[t]) {
                errors.add(
                        "towers: tower "
                                + t
                                + " serves no modality in "
                                + shown
                                + " (tower indices must be 0, 1, ... with every tower used)");
                return false;
            }
        }
        return true;
    }

    /** The MoE sets must be feed-forward parameter sets that exist. */
    private void validateMoeSets(List<String> errors) {
        int sets = numTowers();
        for (int s : moe.sets()) {
            if (untie.ffn() && s >= sets) {
                errors.add(
                        "moe.modalities holds "
                                + s
                                + (hasDefaultTowers()
                                        ? ", outside the modality ids [0, " + nModalities + ")"
                                        : ", outside the feed-forward towers [0, "
                                                + sets
                                                + ") of towers "
                                                + Arrays.toString(towers)));
            } else if (!untie.ffn() && s != 0) {
                errors.add(
                        "moe.modalities holds "
                                + s
                                + ", but the feed-forward is not untied (untie.ffn is false): its"
                                + " one parameter set is 0, so moe.modalities must be [0]");
            }
        }
    }

    private static void positive(List<String> errors, String name, int value) {
        if (value <= 0) {
            errors.add(name + " must be positive, got " + value);
        }
    }

    /** Whether {@code towers} means one tower per modality: absent, or {@code [0, 1, ..., M-1]}. */
    private static boolean isDefault(int[] towers, int nModalities) {
        if (towers == null) {
            return true;
        }
        if (towers.length != nModalities) {
            return false; // refused by the validation
        }
        for (int m = 0; m < towers.length; m++) {
            if (towers[m] != m) {
                return false;
            }
        }
        return true;
    }

    private static long[][] deepCopy(long[][] ranges) {
        long[][] copy = new long[ranges.length][];
        for (int i = 0; i < ranges.length; i++) {
            copy[i] = ranges[i] == null ? null : ranges[i].clone();
        }
        return copy;
    }

    // ---------------------------------------------------------------- JSON

    /** Reads {@code config.json}. */
    public static MoTConfig read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(
                    "Invalid MoT config " + file + ": not UTF-8 text (" + e + ")", e);
        }
        JsonElement element;
        try {
            element = StrictJson.parse(text);
        } catch (IOException | JsonParseException e) {
            throw new IllegalArgumentException(
                    "Invalid MoT config " + file + ": not valid JSON (" + e.getMessage() + ")", e);
        }
        return fromJson(element, file.toString());
    }

    /** Parses a config from its JSON text. */
    public static MoTConfig fromJson(String json) {
        JsonElement element;
        try {
            element = StrictJson.parse(json);
        } catch (IOException | JsonParseException e) {
            throw new IllegalArgumentException(
                    "Invalid MoT config: not valid JSON (" + e.getMessage() + ")", e);
        }
        return fromJson(element, "JSON");
    }

    private static MoTConfig fromJson(JsonElement element, String source) {
        if (!element.isJsonObject()) {
            throw new IllegalArgumentException(
                    "Invalid MoT config " + source + ": expected a JSON object");
        }
        JsonObject o = element.getAsJsonObject();
        for (String key : o.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(
                        "Invalid MoT config "
                                + source
                                + ": unknown key \""
                                + key
                                + "\"; expected keys are "
                                + KEYS);
            }
        }
        Builder b = new Builder();
        b.vocabSize = requiredInt(o, "vocab_size", source);
        b.dim = requiredInt(o, "dim", source);
        b.nLayers = requiredInt(o, "n_layers", source);
        b.nHeads = requiredInt(o, "n_heads", source);
        b.headDim = o.has("head_dim") ? requiredInt(o, "head_dim", source) : 0;
        b.ffnHiddenDim = requiredInt(o, "ffn_hidden_dim", source);
        b.nModalities = requiredInt(o, "n_modalities", source);
        b.normOrder = named(NormOrder::fromJson, requiredString(o, "norm_order", source), source);
        b.qkNorm = requiredBoolean(o, "qk_norm", source);
        b.normEps = requiredDouble(o, "norm_eps", source);
        b.ropeTheta = requiredDouble(o, "rope_theta", source);
        b.ropeStyle = named(RopeStyle::fromJson, requiredString(o, "rope_style", source), source);
        b.maxSeqLen = requiredInt(o, "max_seq_len", source);
        b.untie = o.has("untie") ? parseUntie(o.get("untie"), source) : Untie.ALL;
        if (o.has("modality_token_ranges") && !o.get("modality_token_ranges").isJsonNull()) {
            b.modalityTokenRanges = parseRanges(o.get("modality_token_ranges"), source);
        }
        if (o.has("moe") && !o.get("moe").isJsonNull()) {
            b.moe = parseMoe(o.get("moe"), source);
        }
        if (o.has("diffusion") && !o.get("diffusion").isJsonNull()) {
            b.diffusion = parseDiffusion(o.get("diffusion"), source);
        }
        if (o.has("towers") && !o.get("towers").isJsonNull()) {
            b.towers = parseTowers(o.get("towers"), source);
        }
        return b.build();
    }

    /** An enum constant by its JSON name; an unknown name is refused naming the source. */
    private static <E> E named(Function<String, E> byName, String name, String source) {
        try {
            return byName.apply(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Invalid MoT config " + source + ": " + e.getMessage(), e);
        }
    }

    private static Untie parseUntie(JsonElement e, String source) {
        if (!e.isJsonObject()) {
            throw new IllegalArgumentException(
                    "Invalid MoT config "
                            + source
                            + ": \"untie\" must be an object {attention, ffn, norms}");
        }
        JsonObject u = e.getAsJsonObject();
        for (String key : u.keySet()) {
            if (!UNTIE_KEYS.contains(key)) {
                throw new IllegalArgumentException(
                        "Invalid MoT config "
                                + source
                                + ": unknown key \"untie."
                                + key
                                + "\"; expected "
                                + UNTIE_KEYS);
            }
        }
        return new Untie(
                requiredBoolean(u, "attention", "untie.", source),
                requiredBoolean(u, "ffn", "untie.", source),
                requiredBoolean(u, "norms", "untie.", source));
    }

    private static MoeConfig parseMoe(JsonElement e, String source) {
        if (!e.isJsonObject()) {
            throw new IllegalArgumentException(
                    "Invalid MoT config "
                            + source
                            + ": \"moe\" must be an object {experts, routing, top_k,"
                            + " capacity_factor, modalities}");
        }
        JsonObject m = e.getAsJsonObject();
        for (String key : m.keySet()) {
            if (!MOE_KEYS.contains(key)) {
                throw new IllegalArgumentException(
                        "Invalid MoT config "
                                + source
                                + ": unknown key \"moe."
                                + key
                                + "\"; expected "
                                + MOE_KEYS);
            }
        }
        String what =
                "Invalid MoT config "
                        + source
                        + ": \"moe.modalities\" must be a list of feed-forward parameter set ids";
        JsonElement list = m.get("modalities");
        if (list == null || !list.isJsonArray()) {
            throw new IllegalArgumentException(what);
        }
        List<Integer> sets = new ArrayList<>();
        for (JsonElement id : list.getAsJsonArray()) {
            long value = integral(id, what);
            if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + ", got " + id);
            }
            sets.add((int) value);
        }
        int experts = requiredInt(m, "experts", "moe.", source);
        MoeRouting routing =
                named(MoeRouting::fromJson, requiredString(m, "routing", "moe.", source), source);
        // top_k and capacity_factor may be left out: 1 each, as in the paper's MoE-4x
        int topK = m.has("top_k") ? requiredInt(m, "top_k", "moe.", source) : 1;
        double capacity =
                m.has("capacity_factor")
                        ? requiredDouble(m, "capacity_factor", "moe.", source)
                        : 1.0;
        try {
            return new MoeConfig(experts, routing, topK, capacity, sets);
        } catch (IllegalArgumentException invalid) {
            throw new IllegalArgumentException(
                    invalid.getMessage()
                            .replace("Invalid MoT config:", "Invalid MoT config " + source + ":"),
                    invalid);
        }
    }

    private static DiffusionConfig parseDiffusion(JsonElement e, String source) {
        if (!e.isJsonObject()) {
            throw new IllegalArgumentException(
                    "Invalid MoT config "
                            + source
                            + ": \"diffusion\" must be an object {modality, patch_values,"
                            + " timesteps, patch_encoder, image_side, patch_side,"
                            + " conv_channels}");
        }
        JsonObject d = e.getAsJsonObject();
        for (String key : d.keySet()) {
            if (!DIFFUSION_KEYS.contains(key)) {
                throw new IllegalArgumentException(
                        "Invalid MoT config "
                                + source
                                + ": unknown key \"diffusion."
                                + key
                                + "\"; expected "
                                + DIFFUSION_KEYS);
            }
        }
        int timesteps =
                d.has("timesteps")
                        ? requiredInt(d, "timesteps", "diffusion.", source)
                        : DiffusionConfig.DEFAULT_TIMESTEPS;
        // configs written before the conv encoder have none of the keys below: linear, as then
        PatchEncoder encoder =
                d.has("patch_encoder")
                        ? named(
                                PatchEncoder::fromJson,
                                requiredString(d, "patch_encoder", "diffusion.", source),
                                source)
                        : PatchEncoder.LINEAR;
        int imageSide =
                d.has("image_side") ? requiredInt(d, "image_side", "diffusion.", source) : 0;
        int patchSide =
                d.has("patch_side") ? requiredInt(d, "patch_side", "diffusion.", source) : 0;
        int channels =
                d.has("conv_channels")
                        ? requiredInt(d, "conv_channels", "diffusion.", source)
                        : encoder == PatchEncoder.CONV ? DiffusionConfig.DEFAULT_CONV_CHANNELS : 0;
        try {
            return new DiffusionConfig(
                    requiredInt(d, "modality", "diffusion.", source),
                    requiredInt(d, "patch_values", "diffusion.", source),
                    timesteps,
                    encoder,
                    imageSide,
                    patchSide,
                    channels);
        } catch (IllegalArgumentException invalid) {
            throw new IllegalArgumentException(
                    invalid.getMessage()
                            .replace("Invalid MoT config:", "Invalid MoT config " + source + ":"),
                    invalid);
        }
    }

    private static int[] parseTowers(JsonElement e, String source) {
        String what =
                "Invalid MoT config "
                        + source
                        + ": \"towers\" must be a list of integer tower indices, one per modality";
        if (!e.isJsonArray()) {
            throw new IllegalArgumentException(what + ", got " + e);
        }
        JsonArray list = e.getAsJsonArray();
        int[] towers = new int[list.size()];
        for (int i = 0; i < towers.length; i++) {
            JsonElement id = list.get(i);
            long value = integral(id, what + ", got " + list);
            if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + ", got " + list);
            }
            towers[i] = (int) value;
        }
        return towers;
    }

    private static long[][] parseRanges(JsonElement e, String source) {
        String what =
                "Invalid MoT config "
                        + source
                        + ": \"modality_token_ranges\" must be a list of [start, end) pairs";
        if (!e.isJsonArray()) {
            throw new IllegalArgumentException(what);
        }
        JsonArray arr = e.getAsJsonArray();
        long[][] ranges = new long[arr.size()][];
        for (int i = 0; i < arr.size(); i++) {
            if (!arr.get(i).isJsonArray() || arr.get(i).getAsJsonArray().size() != 2) {
                throw new IllegalArgumentException(what);
            }
            JsonArray pair = arr.get(i).getAsJsonArray();
            ranges[i] = new long[] {integral(pair.get(0), what), integral(pair.get(1), what)};
        }
        return ranges;
    }

    /** An exact 64-bit integer ({@code 5.0} is 5; 2^64 + 5 is refused, never wrapped to 5). */
    private static long integral(JsonElement e, String what) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException(what);
        }
        try {
            return e.getAsBigDecimal().longValueExact();
        } catch (ArithmeticException notExact) {
            throw new IllegalArgumentException(what + ", got " + e, notExact);
        }
    }

    private static JsonPrimitive required(JsonObject o, String key, String prefix, String source) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException(
                    "Invalid MoT config "
                            + source
                            + ": missing required key \""
                            + prefix
                            + key
                            + "\"");
        }
        if (!e.isJsonPrimitive()) {
            throw new IllegalArgumentException(
                    "Invalid MoT config "
                            + source
                            + ": \""
                            + prefix
                            + key
                            + "\" must be a value, got "
                            + e);
        }
        return e.getAsJsonPrimitive();
    }

    /**
     * An exact 32-bit integer. Compared exactly, not through a double: 2.0000000000000000001 is no
     * integer even though it rounds to the double 2.0.
     */
    private static int requiredInt(JsonObject o, String key, String source) {
        return requiredInt(o, key, "", source);
    }

    private static int requiredInt(JsonObject o, String key, String prefix, String source) {
        JsonPrimitive p = required(o, key, prefix, source);
        try {
            if (p.isNumber()) {
                return p.getAsBigDecimal().intValueExact();
            }
        } catch (ArithmeticException notAnInt) {
            // refused below
        }
        throw new IllegalArgumentException(
                "Invalid MoT config "
                        + source
                        + ": \""
                        + prefix
                        + key
                        + "\" must be an integer in ["
                        + Integer.MIN_VALUE
                        + ", "
                        + Integer.MAX_VALUE
                        + "], got "
                        + p);
    }

    private static double requiredDouble(JsonObject o, String key, String source) {
        return requiredDouble(o, key, "", source);
    }

    private static double requiredDouble(JsonObject o, String key, String prefix, String source) {
        JsonPrimitive p = required(o, key, prefix, source);
        if (!p.isNumber()) {
            throw new IllegalArgumentException(
                    "Invalid MoT config "
                            + source
                            + ": \""
                            + prefix
                            + key
                            + "\" must be a number, got "
                            + p);
        }
        return p.getAsDouble();
    }

    private static boolean requiredBoolean(JsonObject o, String key, String source) {
        return requiredBoolean(o, key, "", source);
    }

    private static boolean requiredBoolean(JsonObject o, String key, String prefix, String source) {
        JsonPrimitive p = required(o, key, prefix, source);
        if (!p.isBoolean()) {
            throw new IllegalArgumentException(
                    "Invalid MoT config "
                            + source
                            + ": \""
                            + prefix
                            + key
                            + "\" must be true or false, got "
                            + p);
        }
        return p.getAsBoolean();
    }

    private static String requiredString(JsonObject o, String key, String source) {
        return requiredString(o, key, "", source);
    }

    private static String requiredString(JsonObject o, String key, String prefix, String source) {
        JsonPrimitive p = required(o, key, prefix, source);
        if (!p.isString()) {
            throw new IllegalArgumentException(
                    "Invalid MoT config "
                            + source
                            + ": \""
                            + prefix
                            + key
                            + "\" must be a string, got "
                            + p);
        }
        return p.getAsString();
    }

    /**
     * The keys whose values differ from {@code other}'s, each as {@code key: this value vs
     * other's}, in key order; empty when the configs are equal.
     */
    public List<String> differencesFrom(MoTConfig other) {
        JsonObject mine = toJsonObject();
        JsonObject theirs = other.toJsonObject();
        SortedSet<String> keys = new TreeSet<>(mine.keySet());
        keys.addAll(theirs.keySet());
        List<String> out = new ArrayList<>();
        for (String key : keys) {
            JsonElement a = mine.get(key);
            JsonElement b = theirs.get(key);
            if (!Objects.equals(a, b)) {
                out.add(key + ": " + a + " vs " + b);
            }
        }
        return out;
    }

    /** This config as a JSON object in the reference schema. */
    public JsonObject toJsonObject() {
        JsonObject o = new JsonObject();
        o.addProperty("vocab_size", vocabSize);
        o.addProperty("dim", dim);
        o.addProperty("n_layers", nLayers);
        o.addProperty("n_heads", nHeads);
        o.addProperty("head_dim", headDim);
        o.addProperty("ffn_hidden_dim", ffnHiddenDim);
        o.addProperty("n_modalities", nModalities);
        o.addProperty("norm_order", normOrder.jsonName());
        o.addProperty("qk_norm", qkNorm);
        o.addProperty("norm_eps", normEps);
        o.addProperty("rope_theta", ropeTheta);
        o.addProperty("rope_style", ropeStyle.jsonName());
        o.addProperty("max_seq_len", maxSeqLen);
        JsonObject u = new JsonObject();
        u.addProperty("attention", untie.attention());
        u.addProperty("ffn", untie.ffn());
        u.addProperty("norms", untie.norms());
        o.add("untie", u);
        if (modalityTokenRanges != null) {
            JsonArray ranges = new JsonArray();
            for (long[] r : modalityTokenRanges) {
                JsonArray pair = new JsonArray();
                pair.add(r[0]);
                pair.add(r[1]);
                ranges.add(pair);
            }
            o.add("modality_token_ranges", ranges);
        }
        if (moe != null) {
            JsonObject m = new JsonObject();
            m.addProperty("experts", moe.experts());
            m.addProperty("routing", moe.routing().jsonName());
            m.addProperty("top_k", moe.topK());
            m.addProperty("capacity_factor", moe.capacityFactor());
            JsonArray sets = new JsonArray();
            moe.sets().forEach(sets::add);
            m.add("modalities", sets);
            o.add("moe", m);
        }
        if (diffusion != null) {
            JsonObject d = new JsonObject();
            d.addProperty("modality", diffusion.modality());
            d.addProperty("patch_values", diffusion.patchValues());
            d.addProperty("timesteps", diffusion.timesteps());
            // the linear encoder is what a config without the key means: its JSON stays as before
            if (diffusion.patchEncoder() != PatchEncoder.LINEAR) {
                d.addProperty("patch_encoder", diffusion.patchEncoder().jsonName());
            }
            if (diffusion.hasGeometry()) {
                d.addProperty("image_side", diffusion.imageSide());
                d.addProperty("patch_side", diffusion.patchSide());
            }
            if (diffusion.patchEncoder() == PatchEncoder.CONV) {
                d.addProperty("conv_channels", diffusion.convChannels());
            }
            o.add("diffusion", d);
        }
        // one tower per modality is what a config without the key means: its JSON stays as before
        if (towers != null) {
            JsonArray t = new JsonArray();
            for (int tower : towers) {
                t.add(tower);
            }
            o.add("towers", t);
        }
        return o;
    }

    /** This config as pretty-printed JSON in the reference schema. */
    public String toJson() {
        Gson gson = new GsonBuilder().setPrettyPrinting().create();
        return gson.toJson(toJsonObject());
    }

    /**
     * Writes {@code config.json} atomically ({@link AtomicFiles}: a failure leaves no half file).
     */
    public void write(Path file) throws IOException {
        byte[] json = (toJson() + "\n").getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, os -> os.write(json));
    }

    // ---------------------------------------------------------------- accessors

    /**
     * Token id range {@code [start, end)} of each modality, or {@code null} when unconstrained (a
     * copy: the config stays immutable).
     */
    @Override
    public long[][] modalityTokenRanges() {
        return modalityTokenRanges == null ? null : deepCopy(modalityTokenRanges);
    }

    /**
     * The tower (parameter set) index of each modality of an untied component: {@code [0, 1, ...,
     * M-1]} unless the config's {@code towers} key says otherwise (a copy).
     */
    @Override
    public int[] towers() {
        if (towers != null) {
            return towers.clone();
        }
        int[] identity = new int[nModalities];
        Arrays.setAll(identity, m -> m);
        return identity;
    }

    /** The tower index that modality {@code m}'s tokens use in every untied component. */
    public int towerOf(int m) {
        Objects.checkIndex(m, nModalities);
        return towers == null ? m : towers[m];
    }

    /** Number of towers K of an untied component: {@code nModalities} unless towers are shared. */
    public int numTowers() {
        if (towers == null) {
            return nModalities;
        }
        int most = 0;
        for (int t : towers) {
            most = Math.max(most, t);
        }
        return most + 1;
    }

    /**
     * Whether the towers are the default, tower {@code m} for modality {@code m} (then the config's
     * JSON has no {@code towers} key).
     */
    public boolean hasDefaultTowers() {
        return towers == null;
    }

    /**
     * The tower of each modality for one component: {@link #towers()} when it is untied, all zeros
     * (one shared set) when it is tied.
     *
     * @param untied the component's {@link Untie} flag
     * @return one tower index per modality
     */
    public int[] towersFor(boolean untied) {
        return untied ? towers() : new int[nModalities];
    }

    /** Number of parameter sets a component gets: {@link #numTowers()} when untied, else 1. */
    public int parameterSets(boolean untied) {
        return untied ? numTowers() : 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MoTConfig other && toJson().equals(other.toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return toJsonObject().toString();
    }

    /** Builder for {@link MoTConfig}. */
    public static final class Builder {
        private int vocabSize = 256;
        private int dim = 64;
        private int nLayers = 2;
        private int nHeads = 4;
        private int headDim;
        private int ffnHiddenDim = 172;
        private int nModalities = 2;
        private NormOrder normOrder = NormOrder.POST;
        private boolean qkNorm = true;
        private double normEps = 1e-5;
        private double ropeTheta = 10000.0;
        private RopeStyle ropeStyle = RopeStyle.INTERLEAVED;
        private int maxSeqLen = 256;
        private Untie untie = Untie.ALL;
        private long[][] modalityTokenRanges;
        private MoeConfig moe;
        private DiffusionConfig diffusion;
        private int[] towers;

        private Builder() {}

        /** Sets {@code vocabSize}: size of the joint vocabulary V ({@code vocab_size}). */
        public Builder vocabSize(int v) {
            vocabSize = v;
            return this;
        }

        /** Sets {@code dim}: model width D ({@code dim}). */
        public Builder dim(int v) {
            dim = v;
            return this;
        }

        /** Sets {@code nLayers}: number of layers ({@code n_layers}). */
        public Builder nLayers(int v) {
            nLayers = v;
            return this;
        }

        /** Sets {@code nHeads}: number of attention heads H ({@code n_heads}). */
        public Builder nHeads(int v) {
            nHeads = v;
            return this;
        }

        /** Head width; 0 (the default) means {@code dim / nHeads}. */
        public Builder headDim(int v) {
            headDim = v;
            return this;
        }

        /**
         * Sets {@code ffnHiddenDim}: hidden width F of the SwiGLU feed-forward ({@code
         * ffn_hidden_dim}).
         */
        public Builder ffnHiddenDim(int v) {
            ffnHiddenDim = v;
            return this;
        }

        /**
         * Sets {@code nModalities}: number of modalities M; ids are {@code 0 .. M-1} ({@code
         * n_modalities}).
         */
        public Builder nModalities(int v) {
            nModalities = v;
            return this;
        }

        /**
         * Sets {@code normOrder}: where the norms sit: Chameleon post order or Llama pre order
         * ({@code norm_order}).
         */
        public Builder normOrder(NormOrder v) {
            normOrder = v;
            return this;
        }

        /**
         * Sets {@code qkNorm}: whether queries and keys are RMS-normalised per head before RoPE
         * ({@code qk_norm}).
         */
        public Builder qkNorm(boolean v) {
            qkNorm = v;
            return this;
        }

        /** Sets {@code normEps}: epsilon of every RMSNorm ({@code norm_eps}). */
        public Builder normEps(double v) {
            normEps = v;
            return this;
        }

        /** Sets {@code ropeTheta}: roPE base ({@code rope_theta}). */
        public Builder ropeTheta(double v) {
            ropeTheta = v;
            return this;
        }

        /** Sets {@code ropeStyle}: roPE pairing: interleaved or half-split ({@code rope_style}). */
        public Builder ropeStyle(RopeStyle v) {
            ropeStyle = v;
            return this;
        }

        /** Sets {@code maxSeqLen}: longest sequence the model accepts ({@code max_seq_len}). */
        public Builder maxSeqLen(int v) {
            maxSeqLen = v;
            return this;
        }

        /**
         * Sets {@code untie}: which components have one parameter set per modality ({@code untie}).
         */
        public Builder untie(Untie v) {
            untie = v;
            return this;
        }

        /** Optional per-modality token id ranges {@code [start, end)}; {@code null} for none. */
        public Builder modalityTokenRanges(long[][] v) {
            modalityTokenRanges = v;
            return this;
        }

        /**
         * Sets {@code moe}: which feed-forward parameter sets are mixtures of experts, and how they
         * route ({@code moe}); {@code null} (the default) for none.
         */
        public Builder moe(MoeConfig v) {
            moe = v;
            return this;
        }

        /**
         * Sets {@code diffusion}: the Transfusion setting's continuous image modality ({@code
         * diffusion}); {@code null} (the default) for none.
         */
        public Builder diffusion(DiffusionConfig v) {
            diffusion = v;
            return this;
        }

        /**
         * Sets {@code towers}: the tower (parameter set) index of each modality in every untied
         * component ({@code towers}), e.g. {@code towers(0, 1, 1)} for text alone and image and
         * speech sharing; {@code null} (the default) for one tower per modality.
         */
        public Builder towers(int... v) {
            towers = v == null ? null : v.clone();
            return this;
        }

        /** Builds and validates the config. */
        public MoTConfig build() {
            return new MoTConfig(
                    vocabSize,
                    dim,
                    nLayers,
                    nHeads,
                    headDim,
                    ffnHiddenDim,
                    nModalities,
                    normOrder,
                    qkNorm,
                    normEps,
                    ropeTheta,
                    ropeStyle,
                    maxSeqLen,
                    untie,
                    modalityTokenRanges,
                    moe,
                    diffusion,
                    towers);
        }
    }
}
