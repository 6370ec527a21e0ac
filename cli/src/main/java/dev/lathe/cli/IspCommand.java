package dev.lathe.cli;

import dev.lathe.cli.isp.IspGateSearch;
import dev.lathe.cli.isp.IspPipeline;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.models.isp.IspSearch;
import dev.lathe.runtime.data.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe isp predictor|selector|search|prune|run}: ISP (interpretation-steered pruning, ECCV 2022) on a CIFAR
 * ResNet, one subcommand per stage over one run folder (see {@link IspPipeline} for its layout); {@code run} chains
 * them, training the zoo model first when given {@code --model}, and resumes stage by stage with {@code --resume}.
 */
public final class IspCommand implements Command {
    /** The stages, with the paper's CIFAR epochs and batch sizes and their learning rates. */
    enum Stage {
        PREDICTOR("predictor", "Stage A: train the predictor on randomly RBF-masked inputs against the frozen black "
                + "box (KL, Adam)", 300, 128, 1e-4),
        SELECTOR("selector", "Stage B: train the selector (saliency RBF per image and label) against the frozen "
                + "predictor with Eq. 9 (KL + area + smoothness)", 20, 16, 1e-4),
        SEARCH("search", "Stage C: store the unpruned selector's RBF parameters, then search gate logits so the "
                + "gated classifier reproduces them under a kept-FLOPs budget", 200, 128, 1e-3),
        PRUNE("prune", "cut the channels the searched gates drop (keep-mask plan, existing surgery)", 0, 0, 0),
        RUN("run", "the whole chain: [train the zoo classifier,] predictor, selector, search, prune, fine-tune to "
                + "DIR/final.onnx", 0, 0, 0);

        final String word;
        final String summary;
        final int epochs;
        final int batch;
        final double lr;

        Stage(String word, String summary, int epochs, int batch, double lr) {
            this.word = word;
            this.summary = summary;
            this.epochs = epochs;
            this.batch = batch;
            this.lr = lr;
        }
    }

    /** Fine-tuning (and the zoo classifier's training in run): train_model.py's 200 epochs, batch 128, lr 0.1. */
    static final int FINETUNE_EPOCHS = 200;

    private final Stage stage;

    IspCommand(Stage stage) {
        this.stage = stage;
    }

    @Override
    public String name() {
        return "isp " + stage.word;
    }

    @Override
    public String summary() {
        return stage.summary;
    }

    @Override
    public String usage() {
        String model = "--model NAME|--onnx FILE --data SPEC -o DIR";
        return switch (stage) {
            case PREDICTOR -> model + " [--epochs N] [--batch B] [--lr LR] [--resume]";
            case SELECTOR -> model + " [--predictor FILE] [--temperature T] [--lambda L1] [--area-power P]"
                    + " [--smoothness L2] [--epochs N] [--batch B] [--lr LR] [--resume]";
            case SEARCH -> model + " [--selector FILE] --target-flops P [--mse-weight W] [--reg-weight W] [--ce W]"
                    + " [--budget exact|as-searched] [--search-fraction F] [--gate-generator simple|hyper] [--select best|last] [--epochs N]"
                    + " [--batch B] [--lr LR]";
            case PRUNE -> "--model NAME|--onnx FILE [--data SPEC] -o DIR [--gates FILE]";
            case RUN -> model + " --target-flops P [--gate-generator simple|hyper] [--select best|last] [--epochs-scale S] [--resume]";
        };
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("model").hasArg().argName("NAME").desc("zoo classifier (an ISP CIFAR "
                + "ResNet: cifar_resnet56); run trains it on --data first").build());
        o.addOption(Option.builder().longOpt("onnx").hasArg().argName("FILE").desc("trained classifier with the ISP "
                + "CIFAR ResNet keys (conv1, layer{1,2,3}.i.*, fc)").build());
        o.addOption(Option.builder().longOpt("data").hasArg().argName("SPEC").desc("synthetic[:k=v,...] (default), "
                + "cifar100:DIR, imagefolder:DIR, ... as lathe train").build());
        o.addOption(Option.builder("o").longOpt("out").hasArg().argName("DIR").desc("run folder: each stage's model, "
                + "plan and metrics go in a sub-folder").build());
        o.addOption(Option.builder().longOpt("seed").hasArg().desc("seed of draws and initialisation (default 0)")
                .build());
        o.addOption(Option.builder().longOpt("threads").hasArg().argName("T").desc("ORT intra-op threads (default 2)")
                .build());
        if (stage != Stage.PRUNE) {
            o.addOption(Option.builder().longOpt("resume").desc("continue the stage from its checkpoint (run: skip "
                    + "the stages whose outputs exist, the search only if it used the same --gate-generator)").build());
        }
        if (stage == Stage.PREDICTOR || stage == Stage.SELECTOR || stage == Stage.SEARCH) {
            o.addOption(Option.builder().longOpt("epochs").hasArg().argName("N").desc("(default " + stage.epochs
                    + ")").build());
            o.addOption(Option.builder().longOpt("batch").hasArg().argName("B").desc("(default " + stage.batch + ")")
                    .build());
            o.addOption(Option.builder().longOpt("lr").hasArg().argName("LR").desc("(default " + stage.lr + ")")
                    .build());
        }
        if (stage == Stage.SELECTOR) {
            o.addOption(Option.builder().longOpt("predictor").hasArg().argName("FILE").desc("Stage A's predictor "
                    + "(default DIR/predictor/predictor.onnx)").build());
            o.addOption(Option.builder().longOpt("temperature").hasArg().desc("relaxed mask temperature (default 1)")
                    .build());
            o.addOption(Option.builder().longOpt("lambda").hasArg().desc("area weight (default 0.2)").build());
            o.addOption(Option.builder().longOpt("area-power").hasArg().desc("(default 0.3)").build());
            o.addOption(Option.builder().longOpt("smoothness").hasArg().desc("smoothness weight (default 1e-3)")
                    .build());
        }
        if (stage == Stage.SEARCH || stage == Stage.RUN) {
            o.addOption(Option.builder().longOpt("target-flops").hasArg().argName("P").desc("kept MAC ratio p in "
                    + "(0, 1) (default 0.5)").build());
            o.addOption(Option.builder().longOpt("gate-generator").hasArg().argName("simple|hyper").desc("the gate generator "
                    + "searched: simple (default): one free logit vector per gated layer (Simplified_Gate); hyper: the "
                    + "GRU hyper-structure (fixed inputs, bi-GRU, LayerNorm, weight-normed Linear per layer; the "
                    + "authors' --hs True)").build());
            o.addOption(Option.builder().longOpt("select").hasArg().argName("best|last").desc("which epoch's gates are"
                    + " cut: best (default, the authors'): of the second half's epochs, the one whose cut classifier"
                    + " scores the best top-1 on the validation split (one cut and evaluation per epoch); last: the"
                    + " last epoch's").build());
        }
        if (stage == Stage.SEARCH) {
            o.addOption(Option.builder().longOpt("selector").hasArg().argName("FILE").desc("Stage B's selector "
                    + "(default DIR/selector/selector.onnx)").build());
            o.addOption(Option.builder().longOpt("mse-weight").hasArg().desc("(default 10)").build());
            o.addOption(Option.builder().longOpt("reg-weight").hasArg().desc("FLOPs term weight (default 1)").build());
            o.addOption(Option.builder().longOpt("ce").hasArg().argName("W").desc("add W x cross-entropy of the gated "
                    + "classifier (default 0: off)").build());
            o.addOption(Option.builder().longOpt("budget").hasArg().argName("exact|as-searched").desc("exact "
                    + "(default): rank channels by the searched logits and keep the best that fit the target; "
                    + "as-searched: the logits' own decision (theta + 3 >= 0)").build());
            o.addOption(Option.builder().longOpt("search-fraction").hasArg().argName("F").desc("share of the "
                    + "training set the stored parameters are made for (default 0.05, at least one batch)").build());
        }
        if (stage == Stage.PRUNE) {
            o.addOption(Option.builder().longOpt("gates").hasArg().argName("FILE").desc("(default "
                    + "DIR/search/gates.json)").build());
        }
        if (stage == Stage.RUN) {
            o.addOption(Option.builder().longOpt("epochs-scale").hasArg().argName("S").desc("multiply every stage's "
                    + "paper epochs by S (at least 1 each; default 1)").build());
        }
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        if (!cmd.hasOption("out")) {
            throw new UserError("-o/--out DIR is required");
        }
        TrainFlags.DataSets data = TrainFlags.datasets(cmd.getOptionValue("data", "synthetic"));
        Model classifier = TrainFlags.model(cmd, data.classes(), data.resolution());
        String source = cmd.hasOption("onnx") ? "--onnx " + cmd.getOptionValue("onnx") : "--model "
                + cmd.getOptionValue("model");
        try {
            IspPipeline.spec(classifier, 1, false);
        } catch (IllegalArgumentException e) {
            throw new UserError(source + ": " + e.getMessage());
        }
        long seed = Flags.longIn(cmd, "seed", 0, Long.MAX_VALUE, 0);
        int threads = Flags.threads(cmd, 2);
        boolean resume = cmd.hasOption("resume");
        // every flag is checked before any stage runs: a bad --target-flops must not wait for a trained predictor
        IspGateSearch.Settings searchSettings = stage == Stage.SEARCH || stage == Stage.RUN ? search(cmd) : null;
        double scale = stage == Stage.RUN ? Flags.doubleIn(cmd, "epochs-scale", 0, false, 100, true, 1) : 1;
        if (stage != Stage.PRUNE && stage != Stage.RUN) {
            run(cmd, stage, 1, seed, threads, resume, ctx);
        }
        if (stage == Stage.SELECTOR) {
            selectorWeights(cmd);
        }
        Path dir = OutputPaths.folder(Path.of(cmd.getOptionValue("out")), true); // created once the flags are good
        Dataset train = data.train();
        Dataset val = data.val();
        try {
            switch (stage) {
                case PREDICTOR -> {
                    Path f = IspPipeline.predictor(classifier, train, val, dir, run(cmd, stage, 1, seed, threads,
                            resume, ctx));
                    ctx.out().println("predictor written to " + f);
                }
                case SELECTOR -> {
                    Model predictor = input(cmd, "predictor", dir.resolve(IspPipeline.PREDICTOR_DIR)
                            .resolve(IspPipeline.PREDICTOR_FILE), "lathe isp predictor");
                    Path f = selector(cmd, classifier, predictor, train, val, dir,
                            run(cmd, stage, 1, seed, threads, resume, ctx));
                    ctx.out().println("selector written to " + f);
                }
                case SEARCH -> {
                    Model selector = input(cmd, "selector", dir.resolve(IspPipeline.SELECTOR_DIR)
                            .resolve(IspPipeline.SELECTOR_FILE), "lathe isp selector");
                    Path f = IspGateSearch.search(classifier, selector, train, val, dir, run(cmd, stage, 1, seed,
                            threads, false, ctx), searchSettings);
                    ctx.out().println("gates written to " + f);
                }
                case PRUNE -> {
                    Path gates = cmd.hasOption("gates") ? Path.of(cmd.getOptionValue("gates"))
                            : dir.resolve(IspPipeline.SEARCH_DIR).resolve(IspPipeline.GATES_FILE);
                    if (!Files.isRegularFile(gates)) {
                        throw new UserError("--gates " + gates + ": no such file (run lathe isp search first)");
                    }
                    IspPipeline.Pruned p = IspPipeline.prune(classifier, gates, dir);
                    ctx.out().printf("pruned: kept MACs %.4f (%d -> %d), %d channels removed; %s%n", p.keptRatio(),
                            p.macsBefore(), p.macsAfter(), p.plan().removedChannels(),
                            dir.resolve(IspPipeline.PRUNE_DIR));
                }
                case RUN -> runAll(cmd, classifier, train, val, dir, seed, threads, resume, scale, searchSettings,
                        ctx);
            }
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        }
        return ExitCode.OK;
    }

    private static void runAll(CommandLine cmd, Model classifier, Dataset train, Dataset val, Path dir, long seed,
            int threads, boolean resume, double scale, IspGateSearch.Settings searchSettings, CliContext ctx)
            throws Exception {
        if (cmd.hasOption("model")) {
            Path trained = dir.resolve("classifier").resolve("classifier.onnx");
            if (!(resume && Files.exists(trained))) {
                IspPipeline.Run r = new IspPipeline.Run(epochs(FINETUNE_EPOCHS, scale), 128, 0.1, seed, threads,
                        resume, ctx.err());
                Files.createDirectories(trained.getParent());
                IspPipeline.trainClassifier(classifier, train, val, trained, r);
            }
            classifier = TrainFlags.fromFile(trained);
        }
        Path predictor = dir.resolve(IspPipeline.PREDICTOR_DIR).resolve(IspPipeline.PREDICTOR_FILE);
        if (!(resume && Files.exists(predictor))) {
            IspPipeline.predictor(classifier, train, val, dir, run(cmd, Stage.PREDICTOR, scale, seed, threads, resume,
                    ctx));
        }
        Path selector = dir.resolve(IspPipeline.SELECTOR_DIR).resolve(IspPipeline.SELECTOR_FILE);
        if (!(resume && Files.exists(selector))) {
            selector(cmd, classifier, Onnx.load(predictor), train, val, dir,
                    run(cmd, Stage.SELECTOR, scale, seed, threads, resume, ctx));
        }
        Path gates = dir.resolve(IspPipeline.SEARCH_DIR).resolve(IspPipeline.GATES_FILE);
        // a search with other settings is not this run's search; a new search's cut starts fine-tuning afresh
        boolean search = !(resume && Files.exists(gates) && IspGateSearch.searchedWith(gates, searchSettings));
        if (search) {
            IspGateSearch.search(classifier, Onnx.load(selector), train, val, dir, run(cmd, Stage.SEARCH, scale,
                    seed, threads, false, ctx), searchSettings);
        }
        IspPipeline.Pruned p = IspPipeline.prune(classifier, gates, dir);
        IspPipeline.Run ft = new IspPipeline.Run(epochs(FINETUNE_EPOCHS, scale), 128, 0.1, seed, threads,
                resume && !search, ctx.err());
        Path fin = IspPipeline.finetune(p.model(), train, val, dir, ft);
        ctx.out().printf("isp: kept MACs %.4f of the classifier's (target %s); fine-tuned model written to %s%n",
                p.keptRatio(), cmd.getOptionValue("target-flops", "0.5"), fin);
    }

    private static Path selector(CommandLine cmd, Model classifier, Model predictor, Dataset train, Dataset val,
            Path dir, IspPipeline.Run r) throws Exception {
        double[] w = selectorWeights(cmd);
        return IspPipeline.selector(classifier, predictor, train, val, dir, r, w[0], w[1], w[2], w[3]);
    }

    /** --temperature, --lambda, --area-power, --smoothness (CIFAR defaults 1, 0.2, 0.3, 1e-3). */
    private static double[] selectorWeights(CommandLine cmd) {
        return new double[] {optional(cmd, "temperature", 0, 100, 1.0), optional(cmd, "lambda", 0, 1e6, 0.2),
            optional(cmd, "area-power", 0, 10, 0.3), optional(cmd, "smoothness", 0, 1e6, 1e-3)};
    }

    /** A flag only some stages have (run uses the defaults). */
    private static double optional(CommandLine cmd, String name, double lo, double hi, double fallback) {
        return cmd.hasOption(name) ? Flags.doubleIn(cmd, name, lo, name.equals("lambda")
                || name.equals("smoothness"), hi, true, fallback) : fallback;
    }

    private static IspGateSearch.Settings search(CommandLine cmd) {
        String budget = cmd.getOptionValue("budget", "exact");
        if (!budget.equals("exact") && !budget.equals("as-searched")) {
            throw new UserError("--budget must be exact or as-searched, got '" + budget + "'");
        }
        String select = cmd.getOptionValue("select", "best");
        if (!select.equals("best") && !select.equals("last")) {
            throw new UserError("--select must be best or last, got '" + select + "'");
        }
        String gates = cmd.getOptionValue("gate-generator", IspSearch.GateGenerator.SIMPLE.word());
        IspSearch.GateGenerator generator = IspSearch.GateGenerator.ofWord(gates).orElseThrow(() ->
                new UserError("--gate-generator must be simple or hyper, got '" + gates + "'"));
        return new IspGateSearch.Settings(Flags.doubleIn(cmd, "target-flops", 0, false, 1, false, 0.5),
                Flags.doubleIn(cmd, "mse-weight", 0, true, 1e6, true, 10),
                Flags.doubleIn(cmd, "reg-weight", 0, true, 1e6, true, 1),
                Flags.doubleIn(cmd, "ce", 0, true, 1e6, true, 0), budget.equals("exact"),
                Flags.doubleIn(cmd, "search-fraction", 0, false, 1, true, 0.05), generator, select.equals("best"));
    }

    /** The stage's epochs (flag, else the paper's x scale, at least 1), batch and lr. */
    private static IspPipeline.Run run(CommandLine cmd, Stage s, double scale, long seed, int threads, boolean resume,
            CliContext ctx) {
        int epochs = cmd.hasOption("epochs") ? Flags.positiveInt(cmd, "epochs", Flags.MAX_COUNT, s.epochs)
                : epochs(s.epochs, scale);
        int batch = cmd.hasOption("batch") ? Flags.positiveInt(cmd, "batch", Flags.MAX_BATCH, s.batch) : s.batch;
        double lr = cmd.hasOption("lr") ? Flags.doubleIn(cmd, "lr", 0, false, 10, true, s.lr) : s.lr;
        return new IspPipeline.Run(epochs, batch, lr, seed, threads, resume, ctx.err());
    }

    private static int epochs(int paper, double scale) {
        return Math.max(1, (int) Math.round(paper * scale));
    }

    private static Model input(CommandLine cmd, String flag, Path fallback, String maker) {
        Path f = cmd.hasOption(flag) ? Path.of(cmd.getOptionValue(flag)) : fallback;
        if (!Files.isRegularFile(f)) {
            throw new UserError("--" + flag + " " + f + ": no such file (" + maker + " writes it)");
        }
        return TrainFlags.fromFile(f);
    }
}
