package io.motdjl.examples.compare;

import java.util.List;
import java.util.Objects;

/**
 * One panel of a comparison report, in the order of the curves' values: a held-out loss (with a
 * FLOPs-to-match summary and a "held-out loss" axis), or a measure of generated samples taken along
 * training (a value, lower is better, no loss summary). The report reads the kind from here, never
 * from the name.
 *
 * @param name the panel's name (a held-out set, or the measure)
 * @param heldOutLoss whether the values are a held-out loss
 */
public record ReportPanel(String name, boolean heldOutLoss) {

    /** Checks the name. */
    public ReportPanel {
        Objects.requireNonNull(name, "name");
    }

    /** A held-out loss panel. */
    public static ReportPanel loss(String name) {
        return new ReportPanel(name, true);
    }

    /** A panel of a measure of generated samples. */
    public static ReportPanel generated(String name) {
        return new ReportPanel(name, false);
    }

    /** Held-out loss panels of these names, in order. */
    public static List<ReportPanel> losses(List<String> names) {
        return names.stream().map(ReportPanel::loss).toList();
    }
}
