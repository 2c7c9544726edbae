package io.motdjl.examples.cli;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.repository.zoo.ZooModel;

import io.motdjl.config.MoTConfig;
import io.motdjl.nn.MoTModel;
import io.motdjl.nn.ParameterCensus;
import io.motdjl.nn.PerModality;
import io.motdjl.train.FlopsAccounting;
import io.motdjl.zoo.MoTCheckpoint;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * {@code mot describe}: the block tree of a checkpoint or zoo model with each block's parameters
 * per modality, and the FLOPs per token — what {@code print(model)} and torchinfo give PyTorch
 * users.
 */
final class DescribeCommand implements Command {

    private static final String SYNOPSIS =
            "describe (--checkpoint DIR | --model ARTIFACT [--architecture mot|dense]) [--depth N]";

    @Override
    public String name() {
        return "describe";
    }

    @Override
    public String synopsis() {
        return SYNOPSIS;
    }

    @Override
    public String summary() {
        return "show a model's blocks, parameters per modality and FLOPs per token";
    }

    @Override
    public String description() {
        return String.join(
                "\n",
                summary() + ".",
                "",
                "  --checkpoint DIR        a checkpoint directory (loaded and verified as `forward` does)",
                ModelSource.ZOO_HELP.get(0),
                ModelSource.ZOO_HELP.get(1),
                "  --depth N               how deep to show the block tree (default 4; 0 = no tree)",
                "",
                "Columns: all parameters of the block; those only modality m's tokens use (its own",
                "parameter sets); those only a group of modalities uses (modalities that share a",
                "tower, config key `towers`); those every modality uses (shared or tied).");
    }

    private static Set<String> options() {
        Set<String> names = new java.util.HashSet<>(ModelSource.OPTIONS);
        names.add("depth");
        return names;
    }

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        CommandOptions options = CommandOptions.parse(args, options(), SYNOPSIS);
        int depth = options.optionalInt("depth", 4, SYNOPSIS);
        if (depth < 0) {
            throw new UsageException("--depth must be >= 0, got " + depth);
        }
        ModelSource source = ModelSource.parse(options, SYNOPSIS);
        if (source.checkpoint() != null) {
            PathChecks.requireDirectory(source.checkpoint(), "checkpoint directory");
            try (NDManager manager = NDManager.newBaseManager()) {
                print(
                        MoTCheckpoint.load(source.checkpoint(), manager),
                        source.describe(),
                        depth,
                        out);
            }
        } else {
            try (ZooModel<NDList, NDList> model = source.loadZooModel()) {
                print((MoTModel) model.getBlock(), source.describe(), depth, out);
            }
        }
        return ExitStatus.OK;
    }

    /** Prints the description of {@code model}. */
    static void print(MoTModel model, String source, int depth, PrintStream out) {
        MoTConfig config = model.config();
        ParameterCensus census = ParameterCensus.of(model);
        int m = config.nModalities();
        out.println("MoT model from " + source);
        out.println(
                String.format(
                        Locale.ROOT,
                        "  vocab %d, dim %d, %d layers, %d heads x %d, FFN %d, max_seq_len %d; %s; untie %s%s",
                        config.vocabSize(),
                        config.dim(),
                        config.nLayers(),
                        config.nHeads(),
                        config.headDim(),
                        config.ffnHiddenDim(),
                        config.maxSeqLen(),
                        Describe.config(config),
                        config.untie(),
                        config.hasDefaultTowers()
                                ? ""
                                : "; towers " + Arrays.toString(config.towers())));
        if (depth > 0) {
            List<Column> columns = columns(census, m);
            List<String> header = new ArrayList<>(List.of("block", "parameters"));
            for (Column c : columns) {
                header.add(c.title());
            }
            List<List<String>> rows = new ArrayList<>();
            for (Map.Entry<String, Block> e : census.blocks().entrySet()) {
                String path = e.getKey();
                int level = path.split("\\.").length - 1;
                if (level >= depth) {
                    continue;
                }
                List<ParameterCensus.Entry> params = census.under(path);
                List<String> row = new ArrayList<>();
                String leaf = path.substring(path.lastIndexOf('.') + 1);
                row.add("  ".repeat(level) + leaf + "  " + label(e.getValue()));
                row.add(count(sum(params, serving -> true)));
                for (Column c : columns) {
                    row.add(count(sum(params, c.counts())));
                }
                rows.add(row);
            }
            List<String> total = new ArrayList<>(List.of("total", count(census.total())));
            for (Column c : columns) {
                total.add(count(sum(census.entries(), c.counts())));
            }
            rows.add(total);
            TextTable table = new TextTable(header.toArray(new String[0]));
            for (List<String> row : rows) {
                table.addRow(row.toArray(new String[0]));
            }
            table.print(out);
        }
        FlopsAccounting flops = FlopsAccounting.of(config);
        StringBuilder used = new StringBuilder();
        for (int k = 0; k < m; k++) {
            used.append(k == 0 ? "" : ", ")
                    .append(String.format(Locale.ROOT, "modality %d %,d", k, census.usedBy(k)));
        }
        out.println(
                String.format(
                        Locale.ROOT,
                        "parameters: %,d in all; a token uses those of its modality and the shared ones: %s",
                        census.total(),
                        used));
        int t = config.maxSeqLen();
        if (config.moe() == null) {
            out.println(
                    String.format(
                            Locale.ROOT,
                            "FLOPs per token at T = %d: forward %,d, training %,d (the dense model of"
                                    + " the same width has the same)",
                            t,
                            flops.forwardFlopsPerToken(t),
                            flops.trainingFlopsPerToken(t)));
        } else {
            // a mixture's active experts and router make a token's cost depend on its modality
            StringBuilder perModality = new StringBuilder();
            for (int k = 0; k < m; k++) {
                long forward = flops.forwardFlopsPerToken(k, t);
                perModality.append(
                        String.format(
                                Locale.ROOT,
                                "%smodality %d forward %,d, training %,d",
                                k == 0 ? "" : "; ",
                                k,
                                forward,
                                3 * forward));
            }
            FlopsAccounting dense = FlopsAccounting.of(config.denseTwin());
            out.println(
                    String.format(
                            Locale.ROOT,
                            "FLOPs per token at T = %d: %s (the dense model of the same width:"
                                    + " forward %,d, training %,d)",
                            t,
                            perModality,
                            dense.forwardFlopsPerToken(t),
                            dense.trainingFlopsPerToken(t)));
        }
    }

    /**
     * A column of the table: its title and which parameters it counts, by the modalities that use
     * them.
     */
    private record Column(String title, Predicate<BitSet> counts) {}

    /**
     * One column per modality (what its tokens alone use), one per group of modalities that share
     * parameters without every modality sharing them (a tower serving several modalities), in the
     * order the census meets them, then the parameters every modality uses.
     */
    private static List<Column> columns(ParameterCensus census, int m) {
        List<Column> columns = new ArrayList<>();
        for (int k = 0; k < m; k++) {
            int modality = k;
            columns.add(
                    new Column(
                            "modality " + k,
                            serving -> serving.cardinality() == 1 && serving.get(modality)));
        }
        Set<BitSet> groups = new LinkedHashSet<>();
        for (ParameterCensus.Entry e : census.entries()) {
            int users = e.modalities().cardinality();
            if (users > 1 && users < m) {
                groups.add(e.modalities());
            }
        }
        for (BitSet group : groups) {
            String members =
                    group.stream().mapToObj(Integer::toString).collect(Collectors.joining("+"));
            columns.add(new Column("modalities " + members, group::equals));
        }
        columns.add(new Column("shared", serving -> serving.cardinality() == m));
        return columns;
    }

    /** Values of the parameters whose modalities {@code counted} accepts. */
    private static long sum(List<ParameterCensus.Entry> params, Predicate<BitSet> counted) {
        long n = 0;
        for (ParameterCensus.Entry e : params) {
            if (counted.test(e.modalities())) {
                n += e.size();
            }
        }
        return n;
    }

    private static String count(long n) {
        return n == 0 ? "-" : String.format(Locale.ROOT, "%,d", n);
    }

    private static String label(Block block) {
        if (block instanceof PerModality<?> towers) {
            String kind = kind(towers.tower(0));
            if (towers.isShared()) {
                return "(shared: " + kind + ")";
            }
            java.util.List<String> kinds = new java.util.ArrayList<>();
            for (Block tower : towers.towers()) {
                kinds.add(kind(tower));
            }
            // towers of different kinds (a mixture of experts in one modality only) are listed
            return kinds.stream().distinct().count() == 1
                    ? "(" + towers.numTowers() + " towers: " + kind + ")"
                    : "(" + towers.numTowers() + " towers: " + String.join(" | ", kinds) + ")";
        }
        return "(" + kind(block) + ")";
    }

    private static String kind(Block block) {
        if (block instanceof Linear linear) {
            Shape w = linear.getParameters().get("weight").getShape();
            return "Linear " + w.get(1) + " -> " + w.get(0) + ", no bias";
        }
        String text = block.toString();
        // DJL's default toString prints the whole subtree; keep the class name for those
        return text.contains("\n") || text.length() > 60 ? block.getClass().getSimpleName() : text;
    }
}
