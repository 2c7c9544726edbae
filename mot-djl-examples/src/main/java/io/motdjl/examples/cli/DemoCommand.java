package io.motdjl.examples.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import io.motdjl.config.MoTConfig;
import io.motdjl.examples.ForwardPass;
import io.motdjl.examples.ReferenceCases;
import io.motdjl.examples.ReferenceComparison;
import io.motdjl.examples.TemporaryDirectory;
import io.motdjl.examples.compare.ChameleonComparison;
import io.motdjl.examples.compare.ComparisonSettings;
import io.motdjl.io.SafetensorsFile;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;
import io.motdjl.zoo.MoTCheckpoint;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code mot demo}: runs every bundled reference case and prints a table of configs, per-modality
 * token counts and losses, and the distance to the logits an independent PyTorch implementation
 * computed. Fails (exit status 1) if any case is outside the tolerance.
 */
final class DemoCommand implements Command {

    /** The demonstration's miniature comparison: small and quick, same recipe as compare. */
    static final ComparisonSettings DEMO =
            new ComparisonSettings(
                    300,
                    64,
                    4,
                    4,
                    32,
                    1e-2,
                    6,
                    0,
                    null,
                    0.1,
                    ComparisonSettings.DEFAULT_PROSE_FRACTION);

    private static final String DEFAULT_OUT = "mot-demo";
    private static final String SYNOPSIS = "demo [--out DIR] [--steps N] [--prose F]";

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String synopsis() {
        return SYNOPSIS;
    }

    @Override
    public String summary() {
        return "check the reference cases, then train dense and MoT in miniature and plot them";
    }

    @Override
    public String description() {
        return String.join(
                System.lineSeparator(),
                "The main demonstration, in two parts:",
                " 1. the bundled reference checkpoints (from an independent PyTorch implementation)",
                "    run on their inputs; logits and per-modality losses are compared with PyTorch's;",
                " 2. a dense transformer and a MoT of the same size are trained on the bundled",
                "    data of the paper's Chameleon setting in miniature (Fashion-MNIST captions +",
                "    image codes, mixed with text-only English prose) and their held-out losses on",
                "    prose, captions and images are plotted against training FLOPs, as",
                "    'mot compare' does with larger defaults (a few minutes on 2 cores).",
                "",
                "  --out DIR   where the comparison's results and plot go (default "
                        + DEFAULT_OUT
                        + ")",
                "  --steps N   training steps per model (default " + DEMO.steps() + ")",
                "  --prose F   share of training sequences that are prose (default "
                        + DEMO.proseFraction()
                        + "; 0: captions and images only)");
    }

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        CommandOptions options =
                CommandOptions.parse(args, Set.of("out", "steps", "prose"), SYNOPSIS);
        Path outDir = options.optionalPath("out");
        int steps = options.optionalInt("steps", DEMO.steps(), SYNOPSIS);
        TextTable table =
                new TextTable(
                        "case",
                        "modalities",
                        "norm order",
                        "qk-norm",
                        "rope",
                        "tokens per modality",
                        "loss",
                        "loss per modality",
                        "max |logits - expected|",
                        "match");
        List<String> mismatches = new ArrayList<>();
        List<String> names = ReferenceCases.names();
        // the library reads paths, and the cases may sit inside a jar
        try (TemporaryDirectory tmp = TemporaryDirectory.create("mot-demo-");
                NDManager manager = NDManager.newBaseManager()) {
            for (String name : names) {
                Path dir = ReferenceCases.extract(name, tmp.path());
                try (NDManager caseManager = manager.newSubManager()) {
                    CaseResult result = runCase(name, dir, caseManager);
                    table.addRow(result.cells());
                    if (!result.matches()) {
                        mismatches.add(name);
                    }
                }
            }
        }
        out.println("Mixture-of-Transformers forward passes on the bundled reference cases;");
        out.println("expected logits and losses come from an independent PyTorch implementation.");
        out.println();
        table.print(out);
        out.println();
        out.println(
                "loss: mean next-token cross-entropy; loss per modality: grouped by the target"
                        + " token's modality (NaN: no target of that modality).");
        out.println(
                "match: logits and losses within "
                        + Describe.error(ReferenceComparison.TOLERANCE)
                        + " of the reference.");
        if (!mismatches.isEmpty()) {
            throw new BadInputException(
                    mismatches.size()
                            + " of "
                            + names.size()
                            + " reference cases differ from the"
                            + " expected output by more than "
                            + Describe.error(ReferenceComparison.TOLERANCE)
                            + ": "
                            + String.join(", ", mismatches));
        }
        out.println("all " + names.size() + " cases match the reference");
        out.println();
        ComparisonSettings settings;
        try {
            settings =
                    new ComparisonSettings(
                            steps,
                            DEMO.dim(),
                            DEMO.layers(),
                            DEMO.heads(),
                            DEMO.batchSize(),
                            DEMO.peakLearningRate(),
                            Math.min(DEMO.evaluations(), steps),
                            DEMO.seed(),
                            null,
                            DEMO.heldOutFraction(),
                            options.optionalDouble("prose", DEMO.proseFraction(), SYNOPSIS));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage() + " (usage: mot " + SYNOPSIS + ")");
        }
        CompareCommand.printOutcome(
                new ChameleonComparison(settings).run(),
                settings,
                outDir == null ? Path.of(DEFAULT_OUT) : outDir,
                out);
        return ExitStatus.OK;
    }

    /** One table row, computed while the case's arrays are still open. */
    private record CaseResult(String[] cells, boolean matches) {}

    private static CaseResult runCase(String name, Path dir, NDManager manager) throws IOException {
        MoTModel model = MoTCheckpoint.load(dir, manager);
        MoTConfig config = model.config();
        MoTInputs inputs = InputFile.read(dir.resolve(ReferenceCases.INPUT), manager);
        ForwardPass pass = ForwardPass.run(model, inputs, manager);
        Map<String, NDArray> expected =
                SafetensorsFile.read(dir.resolve(ReferenceCases.EXPECTED), manager);
        ReferenceComparison comparison = ReferenceComparison.of(pass, expected);
        String[] cells = {
            name,
            Integer.toString(config.nModalities()),
            config.normOrder().jsonName(),
            config.qkNorm() ? "yes" : "no",
            Describe.ropeStyle(config),
            Describe.perModality(
                    Describe.tokensPerModality(inputs.modalities(), config.nModalities())),
            Describe.loss(pass.meanLoss()),
            Describe.perModality(pass.meanLossPerModality()),
            Describe.error(comparison.maxLogitError()),
            comparison.matches() ? "yes" : "NO"
        };
        return new CaseResult(cells, comparison.matches());
    }
}
