package io.motdjl.zoo;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;

import io.motdjl.io.StrictJson;

import java.lang.reflect.Type;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What a bundled (or saved) checkpoint is: the model, the data, the training run, the held-out loss
 * per modality and the exact command that made it. Stored as {@code model-card.json} beside the
 * weights, rendered as {@code README.md}.
 *
 * @param name the artifact name, e.g. {@code mot-d64-l2}
 * @param title one line
 * @param description a paragraph
 * @param model architecture facts (e.g. {@code parameters}, {@code dim}, {@code untie})
 * @param data what it was trained and evaluated on
 * @param training the run (steps, batch size, tokens, FLOPs, learning rate, seed, seconds)
 * @param heldOutLoss mean next-token loss on the held-out split, per modality name (or the losses
 *     the data fact {@value #LOSS_NOTE} describes)
 * @param command the command line that reproduces the checkpoint
 * @param code the program behind the command
 */
public record ModelCard(
        String name,
        String title,
        String description,
        Map<String, Object> model,
        Map<String, Object> data,
        Map<String, Object> training,
        Map<String, Double> heldOutLoss,
        String command,
        String code) {

    /**
     * A {@code data} fact that says what the held-out losses are, for losses other than the mean
     * next-token cross-entropy per target modality (e.g. a diffusion loss); the README shows it
     * under the held-out loss heading rather than among the data facts.
     */
    public static final String LOSS_NOTE = "held_out_loss";

    private static final String DEFAULT_LOSS_NOTE =
            "mean next-token cross-entropy, nats, by target modality";

    private static final Gson GSON =
            new GsonBuilder()
                    .setPrettyPrinting()
                    .disableHtmlEscaping()
                    .serializeSpecialFloatingPointValues()
                    .create();

    /**
     * Requires a name; a null title becomes the name, null text becomes empty, and the maps are
     * copied (null to empty) into unmodifiable maps.
     */
    public ModelCard {
        Objects.requireNonNull(name, "name");
        title = Objects.requireNonNullElse(title, name);
        description = Objects.requireNonNullElse(description, "");
        model = copy(model);
        data = copy(data);
        training = copy(training);
        heldOutLoss =
                heldOutLoss == null
                        ? Map.of()
                        : Collections.unmodifiableMap(new LinkedHashMap<>(heldOutLoss));
        command = Objects.requireNonNullElse(command, "");
        code = Objects.requireNonNullElse(code, "");
    }

    private static Map<String, Object> copy(Map<String, Object> map) {
        return map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /** The card as pretty-printed JSON. */
    public String toJson() {
        return GSON.toJson(this);
    }

    /**
     * Parses a card written by {@link #toJson()}.
     *
     * @throws IllegalArgumentException if the text is not a model card
     */
    public static ModelCard fromJson(String json) {
        try {
            JsonElement element = StrictJson.parse(json);
            if (!element.isJsonObject()) {
                throw new IllegalArgumentException("a model card is a JSON object");
            }
            JsonObject o = element.getAsJsonObject();
            Type objects = new TypeToken<LinkedHashMap<String, Object>>() {}.getType();
            Type doubles = new TypeToken<LinkedHashMap<String, Double>>() {}.getType();
            return new ModelCard(
                    string(o, "name"),
                    string(o, "title"),
                    string(o, "description"),
                    GSON.fromJson(o.get("model"), objects),
                    GSON.fromJson(o.get("data"), objects),
                    GSON.fromJson(o.get("training"), objects),
                    GSON.fromJson(o.get("heldOutLoss"), doubles),
                    string(o, "command"),
                    string(o, "code"));
        } catch (java.io.IOException
                | JsonParseException
                | IllegalStateException
                | NullPointerException e) {
            throw new IllegalArgumentException("not a model card (" + e.getMessage() + ")", e);
        }
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }

    /** The card as a README in Markdown. */
    public String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(title).append("\n\n");
        if (!description.isEmpty()) {
            md.append(description).append("\n\n");
        }
        section(md, "Model", model);
        Map<String, Object> dataFacts = new LinkedHashMap<>(data);
        Object note = dataFacts.remove(LOSS_NOTE);
        section(md, "Data", dataFacts);
        section(md, "Training", training);
        if (!heldOutLoss.isEmpty()) {
            if (note == null) {
                md.append("## Held-out loss (").append(DEFAULT_LOSS_NOTE).append(")\n\n");
            } else {
                md.append("## Held-out loss\n\n").append(note).append("\n\n");
            }
            md.append("| modality | loss |\n|---|---|\n");
            heldOutLoss.forEach(
                    (k, v) ->
                            md.append("| ")
                                    .append(k)
                                    .append(" | ")
                                    .append(format(v))
                                    .append(" |\n"));
            md.append('\n');
        }
        if (!command.isEmpty()) {
            md.append("## Reproduce\n\n```\n").append(command).append("\n```\n\n");
        }
        if (!code.isEmpty()) {
            md.append("Code: `").append(code).append("`\n");
        }
        return md.toString();
    }

    private static void section(StringBuilder md, String heading, Map<String, Object> facts) {
        if (facts.isEmpty()) {
            return;
        }
        md.append("## ").append(heading).append("\n\n");
        facts.forEach(
                (k, v) -> md.append("- ").append(k).append(": ").append(format(v)).append('\n'));
        md.append('\n');
    }

    /** Numbers without spurious decimals; other values as they print. */
    static String format(Object value) {
        if (value instanceof Double d) {
            if (d == Math.rint(d) && Math.abs(d) < 1e9) {
                return String.format(Locale.ROOT, "%,d", d.longValue());
            }
            if (Math.abs(d) >= 1e6 || (d != 0 && Math.abs(d) < 1e-3)) {
                return String.format(Locale.ROOT, "%.4g", d);
            }
            return String.format(Locale.ROOT, "%.4f", d);
        }
        if (value instanceof Float f) {
            return format(f.doubleValue());
        }
        if (value instanceof Long || value instanceof Integer) {
            return String.format(Locale.ROOT, "%,d", ((Number) value).longValue());
        }
        return String.valueOf(value);
    }
}
