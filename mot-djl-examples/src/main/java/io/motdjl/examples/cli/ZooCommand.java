package io.motdjl.examples.cli;

import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelZoo;
import ai.djl.repository.zoo.ZooModel;

import io.motdjl.examples.zoo.TrainSpeechCheckpoint;
import io.motdjl.examples.zoo.TrainSpeechZooModels;
import io.motdjl.examples.zoo.TrainTransfusionCheckpoint;
import io.motdjl.examples.zoo.TrainTransfusionZooModels;
import io.motdjl.examples.zoo.TrainZooModels;
import io.motdjl.nn.MoTModel;
import io.motdjl.zoo.BundledModel;
import io.motdjl.zoo.MoTModelZoo;
import io.motdjl.zoo.ModelCard;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * {@code mot zoo}: what the MoT model zoo holds ({@code list}), loading and verifying every bundled
 * model through DJL's {@code Criteria} ({@code verify}), and training the bundled checkpoints again
 * ({@code train}).
 */
final class ZooCommand implements Command {

    private static final String SYNOPSIS =
            "zoo list | zoo verify | zoo train --out DIR"
                    + " [--setting chameleon|transfusion|chameleon-speech] [--recorded DIR]"
                    + " [--steps N]";
    private static final String TRAIN_SYNOPSIS =
            "zoo train --out DIR [--setting chameleon|transfusion|chameleon-speech] [--recorded DIR]"
                    + " [--steps N]";

    @Override
    public String name() {
        return "zoo";
    }

    @Override
    public String synopsis() {
        return SYNOPSIS;
    }

    @Override
    public String summary() {
        return "list, verify or retrain the models of the MoT model zoo (group "
                + MoTModelZoo.GROUP_ID
                + ")";
    }

    @Override
    public String description() {
        return String.join(
                System.lineSeparator(),
                "The MoT model zoo: checkpoints bundled in mot-djl-zoo, loaded with DJL's Criteria",
                "(group id " + MoTModelZoo.GROUP_ID + ").",
                "",
                "  zoo list     the bundled models: artifact, filter properties, size, held-out loss",
                "  zoo verify   load every bundled model through Criteria: checksums, config, weights",
                "  zoo train    train the bundled MoT and its dense twin again and publish them into",
                "               a model repository",
                "      --out DIR       the repository root (the zoo's own is",
                "                      mot-djl-zoo/src/main/resources/io/motdjl/zoo/repository)",
                "      --setting S     chameleon (default: chameleon-fmnist), transfusion",
                "                      (transfusion-fmnist, default 2,000 steps) or",
                "                      chameleon-speech (chameleon-speech-fmnist, 2,000 steps)",
                "      --recorded DIR  also write each model's outputs on fixed inputs (for tests;",
                "                      not for transfusion): logits of two sequences, or the",
                "                      greedy transcripts of three held-out-voice utterances",
                "      --steps N       optimizer steps per model (default "
                        + TrainZooModels.Settings.defaults().steps()
                        + ")");
    }

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        if (args.isEmpty()) {
            throw new UsageException(
                    "zoo needs a subcommand: list, verify or train (usage: mot " + SYNOPSIS + ")");
        }
        String sub = args.get(0);
        List<String> rest = args.subList(1, args.size());
        switch (sub) {
            case "list":
                noOptions(rest, "zoo list");
                list(out);
                return ExitStatus.OK;
            case "verify":
                noOptions(rest, "zoo verify");
                verify(out);
                return ExitStatus.OK;
            case "train":
                train(rest, out);
                return ExitStatus.OK;
            default:
                throw new UsageException(
                        "unknown zoo subcommand '" + sub + "' (usage: mot " + SYNOPSIS + ")");
        }
    }

    private static void noOptions(List<String> rest, String synopsis) {
        CommandOptions.parse(rest, Set.of(), synopsis);
    }

    private static MoTModelZoo zoo() {
        if (!(ModelZoo.getModelZoo(MoTModelZoo.GROUP_ID) instanceof MoTModelZoo zoo)) {
            throw new IllegalStateException(
                    "the MoT model zoo is not registered with DJL: is mot-djl-zoo on the class path?");
        }
        return zoo;
    }

    private static void list(PrintStream out) throws Exception {
        List<BundledModel> models = zoo().bundledModels();
        Map<String, String> common = commonProperties(models);
        TextTable table =
                new TextTable(
                        "artifact",
                        "name",
                        "version",
                        "filter",
                        "parameters",
                        "size",
                        "steps",
                        "held-out loss (text / image)");
        for (BundledModel m : models) {
            ModelCard card = m.card();
            Map<String, String> distinct = new TreeMap<>(m.properties());
            distinct.keySet().removeAll(common.keySet());
            table.addRow(
                    m.artifactId(),
                    m.name(),
                    m.version(),
                    properties(distinct),
                    card == null ? "?" : number(card.model().get("parameters")),
                    String.format(Locale.ROOT, "%.0f KB", m.totalBytes() / 1024.0),
                    card == null ? "?" : number(card.training().get("steps")),
                    card == null ? "?" : losses(card.heldOutLoss()));
        }
        out.println(
                "MoT model zoo, group id "
                        + MoTModelZoo.GROUP_ID
                        + ": "
                        + models.size()
                        + " models");
        if (!common.isEmpty()) {
            out.println("all with " + properties(common));
        }
        out.println();
        table.print(out);
        out.println();
        out.println("Load one with DJL: Criteria.builder().setTypes(NDList.class, NDList.class)");
        out.println(
                "    .optGroupId(\""
                        + MoTModelZoo.GROUP_ID
                        + "\").optArtifactId(ARTIFACT)"
                        + ".optFilter(\"architecture\", \"mot\").build().loadModel()");
        out.println(
                "Held-out loss: text is next-token cross-entropy; image is cross-entropy over image"
                        + " codes (chameleon-*; speech: over speech units) or the diffusion noise"
                        + " MSE (transfusion-*): compare"
                        + " image losses within an artifact only.");
        out.println(
                "Model cards: README.md beside each model's weights; 'mot zoo verify' loads them all.");
    }

    /** Properties every model shares (shown once rather than in each row). */
    private static Map<String, String> commonProperties(List<BundledModel> models) {
        Map<String, String> common = new TreeMap<>();
        if (models.size() < 2) {
            return common;
        }
        common.putAll(models.get(0).properties());
        for (BundledModel m : models) {
            common.entrySet().removeIf(e -> !e.getValue().equals(m.properties().get(e.getKey())));
        }
        return common;
    }

    private static void verify(PrintStream out) throws Exception {
        List<BundledModel> models = zoo().bundledModels();
        for (BundledModel m : models) {
            Criteria.Builder<NDList, NDList> builder =
                    Criteria.builder()
                            .setTypes(NDList.class, NDList.class)
                            .optGroupId(m.groupId())
                            .optArtifactId(m.artifactId());
            for (Map.Entry<String, String> p : m.properties().entrySet()) {
                builder.optFilter(p.getKey(), p.getValue());
            }
            try (ZooModel<NDList, NDList> model = builder.build().loadModel()) {
                MoTModel block = (MoTModel) model.getBlock();
                out.printf(
                        Locale.ROOT,
                        "ok  %s/%s %s: %d files verified (sha256); config %s, untie %s; weights"
                                + " loaded%n",
                        m.artifactId(),
                        m.name(),
                        m.version(),
                        m.fileSizes().size(),
                        Describe.config(block.config()),
                        untie(block.config()));
            }
        }
    }

    private static void train(List<String> rest, PrintStream out) throws Exception {
        CommandOptions options =
                CommandOptions.parse(
                        rest, Set.of("out", "setting", "recorded", "steps"), TRAIN_SYNOPSIS);
        Path repository = options.requiredPath("out", TRAIN_SYNOPSIS);
        Path recorded = options.optionalPath("recorded");
        String setting =
                options.optionalChoice(
                        "setting",
                        "chameleon",
                        List.of("chameleon", "transfusion", "chameleon-speech"),
                        TRAIN_SYNOPSIS);
        boolean transfusion = setting.equals("transfusion");
        boolean speech = setting.equals("chameleon-speech");
        if (transfusion && recorded != null) {
            throw new UsageException(
                    "--recorded applies to the Chameleon settings only (their tokenizers'"
                            + " recorded k-means); the Transfusion models have no tokenizer");
        }
        TrainZooModels.Settings defaults =
                switch (setting) {
                    case "transfusion" -> TrainTransfusionCheckpoint.defaults();
                    case "chameleon-speech" -> TrainSpeechCheckpoint.defaults();
                    default -> TrainZooModels.Settings.defaults();
                };
        int steps = options.optionalInt("steps", defaults.steps(), TRAIN_SYNOPSIS);
        if (steps < 1) {
            throw new UsageException("--steps must be positive, got " + steps);
        }
        List<String> command =
                new ArrayList<>(List.of("bin/mot", "zoo", "train", "--out", repository.toString()));
        if (transfusion || speech) {
            command.addAll(List.of("--setting", setting));
        }
        if (recorded != null) {
            command.addAll(List.of("--recorded", recorded.toString()));
        }
        if (steps != defaults.steps()) {
            command.addAll(List.of("--steps", Integer.toString(steps)));
        }
        TrainZooModels.Settings settings = defaults.withSteps(steps);
        String line = String.join(" ", command);
        List<TrainZooModels.Published> published =
                switch (setting) {
                    case "transfusion" -> TrainTransfusionZooModels.run(settings, repository, line);
                    case "chameleon-speech" ->
                            TrainSpeechZooModels.run(
                                    settings,
                                    repository,
                                    recorded == null
                                            ? null
                                            : recorded.resolve(TrainSpeechZooModels.RECORDED_FILE),
                                    line);
                    default -> TrainZooModels.run(settings, repository, recorded, line);
                };
        for (TrainZooModels.Published p : published) {
            out.println(
                    p.name()
                            + "  held-out "
                            + losses(p.card().heldOutLoss())
                            + "  -> "
                            + p.directory());
        }
    }

    private static String untie(io.motdjl.config.MoTConfig config) {
        io.motdjl.config.Untie u = config.untie();
        if (u.attention() && u.ffn() && u.norms()) {
            return "all";
        }
        if (!u.attention() && !u.ffn() && !u.norms()) {
            return "none";
        }
        return u.toString();
    }

    private static String properties(Map<String, String> properties) {
        StringJoiner joined = new StringJoiner(",");
        properties.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> joined.add(e.getKey() + "=" + e.getValue()));
        return joined.toString();
    }

    private static String number(Object value) {
        if (value instanceof Number n) {
            return String.format(Locale.ROOT, "%,d", n.longValue());
        }
        return String.valueOf(value);
    }

    private static String losses(Map<String, Double> losses) {
        Double text = losses.get("text");
        Double image = losses.get("image");
        return format(text) + " / " + format(image);
    }

    private static String format(Double v) {
        return v == null ? "?" : String.format(Locale.ROOT, "%.4f", v);
    }
}
