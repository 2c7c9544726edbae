package io.motdjl.examples.chameleon;

import io.motdjl.util.Seeds;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Captions made from class names with a few templates; which template an example gets is a
 * deterministic function of the seed and the example's index.
 *
 * <p>In a template, {@code {}} stands for the class name in lower case and {@code {a}} for its
 * indefinite article ("a" or "an").
 */
public final class CaptionTemplates {

    /** The default templates. */
    public static final List<String> DEFAULT_TEMPLATES =
            List.of(
                    "a photo of {a} {}",
                    "{}",
                    "a picture of the {}",
                    "an image showing {a} {}",
                    "a black and white photo of the {}",
                    "{a} {} on a plain background");

    /** Keeps template choices independent of other seeded choices made with the same seed. */
    private static final long STREAM = 0x43415054L; // "CAPT"

    private final List<String> templates;
    private final long seed;

    /**
     * Templates used with a seed.
     *
     * @param templates at least one template, each containing {@code {}}
     * @param seed the seed of the per-example choice
     */
    public CaptionTemplates(List<String> templates, long seed) {
        if (templates.isEmpty()) {
            throw new IllegalArgumentException("at least one caption template is needed");
        }
        for (String t : templates) {
            if (!Objects.requireNonNull(t, "template").contains("{}")) {
                throw new IllegalArgumentException(
                        "caption template \"" + t + "\" has no {} for the class name");
            }
        }
        this.templates = List.copyOf(templates);
        this.seed = seed;
    }

    /** The default templates with {@code seed}. */
    public static CaptionTemplates defaults(long seed) {
        return new CaptionTemplates(DEFAULT_TEMPLATES, seed);
    }

    /** The templates. */
    public List<String> templates() {
        return templates;
    }

    /** Index of the template used for example {@code exampleIndex}. */
    public int templateIndex(long exampleIndex) {
        return Seeds.choose(seed, STREAM, exampleIndex, templates.size());
    }

    /** The caption of example {@code exampleIndex}, whose class is {@code label}. */
    public String caption(int label, long exampleIndex) {
        return fill(templates.get(templateIndex(exampleIndex)), FashionMnist.captionName(label));
    }

    /** Fills a template with a (lower-case) class name. */
    public static String fill(String template, String name) {
        return template.replace("{a}", article(name)).replace("{}", name);
    }

    /** "an" before a vowel, else "a" (good enough for the ten class names). */
    static String article(String name) {
        return !name.isEmpty() && "aeiou".indexOf(name.toLowerCase(Locale.ROOT).charAt(0)) >= 0
                ? "an"
                : "a";
    }
}
