package io.motdjl.spark;

import ai.djl.translate.TranslateException;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Batch inference over a caption file with Apache Spark in local mode: every caption gets the
 * model's score (mean next-token loss of its text) and the image the model draws for it (a PNG).
 * Each executor JVM loads the model once ({@link JvmModels}); each partition makes its own
 * predictors ({@link PartitionInference}). Run with {@code --help} for the options.
 */
public final class BatchCaptions {

    /** The program's Log4j 2 configuration, a class path resource: warnings and errors. */
    public static final String LOG_CONFIG = "io/motdjl/spark/log4j2-mot-spark.properties";

    private BatchCaptions() {}

    /**
     * Runs the program and exits with its status: 0, 1 for bad input or a failed job, 2 for a bad
     * command line.
     *
     * @param args the command line ({@link BatchOptions#USAGE})
     */
    public static void main(String[] args) {
        // before anything logs: Spark replaces an unconfigured Log4j with its INFO defaults
        setIfAbsent("log4j2.configurationFile", LOG_CONFIG);
        int status = execute(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Runs the program: checks the arguments, the input and the captions' lengths (against the
     * model, loaded once for this JVM) before Spark starts, runs the job in a session of its own,
     * prints the summary line.
     *
     * @param args the command line
     * @param out where the summary goes
     * @param err where a refusal goes, as one line
     * @return the exit status
     */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        try {
            BatchOptions options = BatchOptions.parse(args);
            if (options.help()) {
                out.println(BatchOptions.USAGE);
                return 0;
            }
            CaptionFile input = CaptionFile.read(options.input());
            OutputDirectory.prepare(options.out());
            configureJvm(options);
            List<String> captions = input.requireFits(CaptionLimit.of(options.source())).captions();
            SparkSession spark = session(options.master());
            try {
                out.println(run(spark, options, captions).line());
            } finally {
                spark.stop();
                JvmModels.closeAll();
            }
            return 0;
        } catch (InputException e) {
            err.println("mot-spark: error: " + e.getMessage());
            if (e.status() == InputException.USAGE) {
                err.println(BatchOptions.USAGE);
            }
            return e.status();
        } catch (Exception e) {
            // a failed job: Spark's SparkException is checked but undeclared, hence Exception
            err.println("mot-spark: error: the job failed: " + rootMessage(e));
            return InputException.BAD_INPUT;
        }
    }

    /**
     * Scores and draws the captions in a running session and writes the results file.
     *
     * @param spark the session
     * @param options the options (input and model source, output directory, chunk size)
     * @param captions the captions, as {@link CaptionFile#captions} gives them
     * @return what the run did
     * @throws InputException if the output directory cannot be used
     */
    public static BatchSummary run(SparkSession spark, BatchOptions options, List<String> captions)
            throws InputException {
        Path outDir = OutputDirectory.prepare(options.out());
        List<CaptionRow> rows = new ArrayList<>(captions.size());
        for (int i = 0; i < captions.size(); i++) {
            rows.add(new CaptionRow(i, captions.get(i)));
        }
        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int partitions =
                options.partitions() > 0 ? options.partitions() : context.defaultParallelism();
        // parallelize, not repartition: exactly these partitions, in file order, no shuffle
        JavaRDD<CaptionRow> rdd = context.parallelize(rows, partitions);
        Dataset<CaptionRow> input = spark.createDataset(rdd.rdd(), Encoders.bean(CaptionRow.class));
        PartitionInference work =
                new PartitionInference(
                        options.source(),
                        options.batch(),
                        options.seed(),
                        options.temperature(),
                        outDir.toString());
        long start = System.nanoTime();
        List<CaptionResult> results =
                new ArrayList<>(
                        input.mapPartitions(work, Encoders.bean(CaptionResult.class))
                                .collectAsList());
        double seconds = (System.nanoTime() - start) / 1e9;
        results.sort(Comparator.comparingLong(CaptionResult::getIndex));
        Path file;
        try {
            file = ResultsFile.write(outDir, results);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the results file", e);
        }
        return new BatchSummary(
                results, rdd.getNumPartitions(), seconds, JvmModels.openCount(), file);
    }

    /**
     * A local session that needs no network name and no web UI.
     *
     * @param master {@code local}, {@code local[N]} or {@code local[*]}
     * @return the session
     */
    public static SparkSession session(String master) {
        return SparkSession.builder()
                .master(master)
                .appName("mot-spark")
                // loopback: no DNS lookup of the host name (SPARK_LOCAL_IP)
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    /** Offline DJL, and PyTorch threads shared out among the task slots. */
    private static void configureJvm(BatchOptions options) {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("ai.djl.default_engine", "PyTorch");
        // each task slot runs a predictor at once: without this every libtorch call would use all
        // the cores and the slots would fight for them
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / options.taskSlots());
        setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(threads));
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** The first translation error in the chain (it names the rows), else the root cause. */
    private static String rootMessage(Throwable e) {
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            root = t;
            if (t instanceof TranslateException) {
                break;
            }
        }
        String message = root.getMessage();
        return message == null ? root.getClass().getName() : message.lines().findFirst().orElse("");
    }
}
