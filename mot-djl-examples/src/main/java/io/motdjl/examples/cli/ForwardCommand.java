package io.motdjl.examples.cli;

import ai.djl.ndarray.NDManager;

import io.motdjl.examples.ForwardPass;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;
import io.motdjl.zoo.MoTCheckpoint;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code mot forward}: runs a reference-layout checkpoint on an input file and writes logits and
 * next-token losses to a safetensors file, then prints a short summary.
 */
final class ForwardCommand implements Command {

    private static final Logger logger = LoggerFactory.getLogger(ForwardCommand.class);

    private static final String SYNOPSIS = "forward --checkpoint DIR --input FILE --output FILE";
    private static final String CHECKPOINT = "checkpoint";
    private static final String INPUT = "input";
    private static final String OUTPUT = "output";

    @Override
    public String name() {
        return "forward";
    }

    @Override
    public String synopsis() {
        return SYNOPSIS;
    }

    @Override
    public String summary() {
        return "run a checkpoint on an input file; write logits and next-token losses";
    }

    @Override
    public String description() {
        return String.join(
                System.lineSeparator(),
                "Runs a checkpoint on an input file and writes logits and next-token losses.",
                "",
                "  --checkpoint DIR  config.json and model.safetensors in the reference layout",
                "                    (or sharded: model.safetensors.index.json and its shards)",
                "  --input FILE      safetensors: tokens and modalities, int64 (B, T), and",
                "                    optionally image_span_ids (B, T) (bidirectional image spans)",
                "  --output FILE     safetensors written: logits (B, T, V) float32, loss (1) and",
                "                    loss_per_modality (M) float32, grouped by the target token's",
                "                    modality, NaN where a modality has no target");
    }

    @Override
    public int run(List<String> args, PrintStream out) throws IOException {
        CommandOptions options =
                CommandOptions.parse(args, Set.of(CHECKPOINT, INPUT, OUTPUT), SYNOPSIS);
        Path checkpoint = options.requiredPath(CHECKPOINT, SYNOPSIS);
        Path input = options.requiredPath(INPUT, SYNOPSIS);
        Path output = options.requiredPath(OUTPUT, SYNOPSIS);
        // checked before the engine starts, so that these common mistakes fail fast
        PathChecks.requireDirectory(checkpoint, "checkpoint directory");
        PathChecks.requireFile(input, "input file");
        PathChecks.requireWritable(output, "output");

        try (NDManager manager = NDManager.newBaseManager()) {
            // the one loading path of every command: checksums verified when present
            MoTModel model = MoTCheckpoint.load(checkpoint, manager);
            logger.debug("loaded {} ({})", checkpoint, model.config());
            MoTInputs inputs = InputFile.read(input, manager);
            ForwardPass pass = runNamingInput(model, inputs, manager, input);
            OutputFile.write(output, pass);
            logger.info("wrote {}", output);
            printSummary(out, checkpoint, model, inputs, pass, output);
        }
        return ExitStatus.OK;
    }

    /** The library's message says what is wrong with the inputs; this adds which file. */
    private static ForwardPass runNamingInput(
            MoTModel model, MoTInputs inputs, NDManager manager, Path input) {
        try {
            return ForwardPass.run(model, inputs, manager);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(input + ": " + e.getMessage(), e);
        }
    }

    private static void printSummary(
            PrintStream out,
            Path checkpoint,
            MoTModel model,
            MoTInputs inputs,
            ForwardPass pass,
            Path output) {
        long[] tokensPerModality =
                Describe.tokensPerModality(inputs.modalities(), model.config().nModalities());
        out.println(
                "checkpoint         " + checkpoint + " (" + Describe.config(model.config()) + ")");
        out.println(
                "tokens             "
                        + inputs.tokens().getShape()
                        + ", per modality "
                        + Describe.perModality(tokensPerModality));
        out.println(
                "logits             "
                        + pass.logits().getShape()
                        + " "
                        + pass.logits().getDataType());
        out.println("loss               " + Describe.loss(pass.meanLoss()));
        out.println(
                "loss per modality  "
                        + Describe.perModality(pass.meanLossPerModality())
                        + "  (by target token's modality; NaN = no target)");
        out.println("wrote              " + output);
    }
}
