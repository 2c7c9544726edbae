package io.motdjl.examples.compare;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One model's held-out evaluations over training: at each evaluation, the step, the cumulative
 * training FLOPs, the cumulative training time (held-out scoring excluded) and the held-out loss
 * per modality (NaN where a modality had no tokens).
 */
public final class LossCurve {

    /** One evaluation. */
    public record Point(
            long step, double trainingFlops, double trainingSeconds, double[] heldOutLoss) {}

    private final String model;
    private final List<Point> points = new ArrayList<>();

    public LossCurve(String model) {
        this.model = model;
    }

    /** Appends an evaluation; steps must increase, FLOPs and seconds must not decrease. */
    public void add(long step, double trainingFlops, double trainingSeconds, double[] heldOutLoss) {
        if (!points.isEmpty()) {
            Point last = last();
            if (step <= last.step()) {
                throw new IllegalArgumentException("evaluation steps must increase, got " + step);
            }
            if (trainingFlops < last.trainingFlops() || trainingSeconds < last.trainingSeconds()) {
                throw new IllegalArgumentException(
                        "training FLOPs and seconds cannot decrease, got "
                                + trainingFlops
                                + " FLOPs, "
                                + trainingSeconds
                                + " s at step "
                                + step);
            }
        }
        points.add(new Point(step, trainingFlops, trainingSeconds, heldOutLoss.clone()));
    }

    public String model() {
        return model;
    }

    public List<Point> points() {
        return Collections.unmodifiableList(points);
    }

    /** The last evaluation. */
    public Point last() {
        if (points.isEmpty()) {
            throw new IllegalStateException(model + " has no evaluations");
        }
        return points.get(points.size() - 1);
    }

    /** Training FLOPs of every evaluation. */
    public double[] flops() {
        return points.stream().mapToDouble(Point::trainingFlops).toArray();
    }

    /** Training seconds (held-out scoring excluded) at every evaluation. */
    public double[] seconds() {
        return points.stream().mapToDouble(Point::trainingSeconds).toArray();
    }

    /** Held-out loss of {@code modality} at every evaluation. */
    public double[] loss(int modality) {
        return points.stream().mapToDouble(p -> p.heldOutLoss()[modality]).toArray();
    }
}
