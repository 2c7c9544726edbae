package io.motdjl.examples.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a MoT step's time goes: libtorch's profiler over one forward + backward step of a MoT with
 * two modalities, summed by operator and by kind (matrix multiplies, gathers and scatters of the
 * routing, attention softmax, norms and other element-wise work, copies), plus the time outside
 * libtorch (Java, DJL and the JNI crossings) and the number of top-level operators (about one JNI
 * crossing each, forward; backward runs inside one crossing).
 */
public final class ProfileBenchmark {

    private ProfileBenchmark() {}

    /**
     * Profiles one step and prints its tables.
     *
     * @param size model size and batch
     * @param layout the model's layout
     * @param top how many operators to list
     * @param out where the tables go
     * @return the per-operator table
     * @throws IOException if the trace cannot be written or read
     */
    public static Table run(BenchSize size, ModalityLayout layout, int top, PrintStream out)
            throws IOException {
        Path trace = Files.createTempFile("mot-profile", ".json");
        double wall;
        try (BenchModel model =
                new BenchModel(
                        size.config(layout.modalities()), layout, size.batch(), size.length(), 5)) {
            model.forwardBackward();
            model.forwardBackward();
            OpProfiler.start();
            long start = System.nanoTime();
            model.forwardBackward();
            wall = (System.nanoTime() - start) / 1e9;
            OpProfiler.stop(trace);
        }
        List<OpProfiler.OpTime> ops;
        try {
            ops = OpProfiler.summarize(trace);
        } finally {
            Files.deleteIfExists(trace);
        }
        double inside = ops.stream().mapToDouble(OpProfiler.OpTime::seconds).sum();
        long calls = ops.stream().mapToLong(OpProfiler.OpTime::calls).sum();
        Map<String, double[]> kinds = new LinkedHashMap<>();
        for (String k :
                List.of(
                        "matmul",
                        "gather/scatter",
                        "attention softmax",
                        "norm/element-wise",
                        "copy/concat/split",
                        "other")) {
            kinds.put(k, new double[2]);
        }
        Table byOp =
                new Table(
                        "Profile of one "
                                + layout.label()
                                + " forward + backward step at "
                                + size.label()
                                + Table.fmt(" (%.3f s with the profiler on)", wall),
                        "operator",
                        "kind",
                        "calls",
                        "seconds",
                        "share");
        int listed = 0;
        for (OpProfiler.OpTime op : ops) {
            String kind = kind(op.name());
            double[] k = kinds.get(kind);
            k[0] += op.calls();
            k[1] += op.seconds();
            if (listed++ < top) {
                byOp.row(
                        op.name().replace("autograd::engine::evaluate_function: ", "backward: "),
                        kind,
                        Long.toString(op.calls()),
                        Table.fmt("%.4f", op.seconds()),
                        Table.fmt("%.1f%%", 100 * op.seconds() / wall));
            }
        }
        Table byKind = new Table("The same step by kind", "kind", "calls", "seconds", "share");
        for (Map.Entry<String, double[]> e : kinds.entrySet()) {
            byKind.row(
                    e.getKey(),
                    Table.fmt("%.0f", e.getValue()[0]),
                    Table.fmt("%.4f", e.getValue()[1]),
                    Table.fmt("%.1f%%", 100 * e.getValue()[1] / wall));
        }
        byKind.row(
                "outside libtorch (Java, DJL, JNI)",
                "-",
                Table.fmt("%.4f", wall - inside),
                Table.fmt("%.1f%%", 100 * (wall - inside) / wall));
        byKind.note(Table.fmt("%d top-level libtorch operators in the step", calls));
        byOp.print(out);
        byKind.print(out);
        return byOp;
    }

    /** A rough kind for an operator or autograd function name. */
    static String kind(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        if (n.matches(
                ".*(mmbackward|bmmbackward|aten::mm|aten::bmm|matmul|linear|addmm|unsafeviewbackward).*")) {
            return "matmul";
        }
        if (n.matches(".*(index|embedding|gather|scatter|take).*")) {
            return "gather/scatter";
        }
        if (n.contains("softmax")) {
            return "attention softmax";
        }
        if (n.matches(".*(cat|split|stack|copy|clone|contiguous|slice|select|flip|narrow).*")) {
            return "copy/concat/split";
        }
        if (n.matches(
                ".*(mul|add|sub|div|pow|square|sqrt|mean|sigmoid|sum|neg|exp|where|rsqrt).*")) {
            return "norm/element-wise";
        }
        return "other";
    }
}
