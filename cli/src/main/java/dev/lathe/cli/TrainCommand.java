package dev.lathe.cli;

import dev.lathe.graph.ir.Model;
import dev.lathe.converter.meta.ModelMetadata;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.graph.train.Loss;
import dev.lathe.graph.train.Optimizer;
import dev.lathe.graph.train.TrainConfig;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.graph.train.TrainStepBuilder;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.data.Dataset;
import dev.lathe.runtime.data.Mixup;
import dev.lathe.runtime.data.TrainAugmentation;
import dev.lathe.runtime.ort.train.Trainer;
import dev.lathe.runtime.train.EpochMetrics;
import dev.lathe.runtime.train.LrSchedule;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code lathe train}: trains a zoo model or an ONNX file with the in-graph train step on ONNX Runtime. */
public final class TrainCommand implements Command {

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train a model (forward, backward and optimizer as one ONNX graph on ONNX Runtime)";
    }

    @Override
    public String usage() {
        return "--model NAME|--onnx FILE --data synthetic[:k=v,...]|cifar10:DIR|cifar100:DIR[,lt=IF]|imagefolder:DIR[,res=R]|imagenet-lt:LIST,ROOT --epochs N --batch B --lr LR [--opt sgd|nesterov|momentum|adamw]"
                + " [--sched cosine|multistep [--milestones E,E]] [--warmup E [--warmup-per-epoch]] [--loss ce|logit-adjusted|kd|kl [--tau T] [--logit-scale S]]"
                + " [--teacher T.onnx --kd-temperature T --kd-alpha A]"
                + " [--label-smoothing S] [--ema DECAY] [--accum K] [--runtime ort-cpu|ort-cuda] [--device cpu|cuda[:N]] --out DIR [--resume]"
                + " [--export FILE] [--fold-bn] [--aa rand-m9-mstd0.5-inc1] [--color-jitter S]"
                + " [--train-interpolation random|bilinear|bicubic] [--reprob P --remode const|rand|pixel --recount N]"
                + " [--mixup A] [--cutmix A] [--cutmix-minmax MIN,MAX] [--mixup-prob P] [--mixup-switch-prob P]"
                + " [--mixup-mode batch|pair|elem]"
                + " [--drop-path R] [--recipe NAME] [--dry-run]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("model").hasArg().argName("NAME").desc("zoo model name").build());
        o.addOption(Option.builder().longOpt("onnx").hasArg().argName("FILE")
                .desc("forward model: one image input, logits [N, C] first output, parameters as initializers").build());
        o.addOption(Option.builder().longOpt("data").hasArg().argName("SPEC").desc("synthetic[:classes=10,size=32,"
                + "per-class=100,val-per-class=20,imbalance=1,seed=0] (default synthetic)").build());
        o.addOption(Option.builder().longOpt("epochs").hasArg().argName("N").desc("epochs (default 10)").build());
        o.addOption(Option.builder().longOpt("batch").hasArg().argName("B").desc("batch size (default 64)").build());
        o.addOption(Option.builder().longOpt("lr").hasArg().argName("LR").desc("peak learning rate (default 0.1 "
                + "for sgd, 1e-3 for adamw)").build());
        o.addOption(Option.builder().longOpt("opt").hasArg().argName("sgd|nesterov|momentum|adamw").desc("optimizer,"
                + " timm's names (default sgd): sgd and nesterov are SGD with Nesterov momentum, momentum is plain"
                + " momentum SGD (torch.optim.SGD's default), adamw").build());
        o.addOption(Option.builder().longOpt("momentum").hasArg().desc("SGD momentum (default 0.9)").build());
        o.addOption(Option.builder().longOpt("wd").hasArg().desc("weight decay (default 5e-4 sgd, 0.05 adamw); "
                + "never on norms and biases").build());
        o.addOption(Option.builder().longOpt("decay-all").desc("weight decay on every parameter, norms and biases too"
                + " (torch.optim.SGD(model.parameters()), as CIC, AnchorNet and ISP train; default: timm's rule)")
                .build());
        o.addOption(Option.builder().longOpt("label-smoothing").hasArg().desc("(default 0)").build());
        o.addOption(Option.builder().longOpt("smoothing").hasArg().desc("timm's name for --label-smoothing").build());
        o.addOption(Option.builder().longOpt("loss").hasArg().argName("ce|logit-adjusted|kd|kl").desc("cross-entropy "
                + "(default); logit-adjusted CE on S * logits + T * log(prior), the prior from the training set's "
                + "class counts (CIC's long-tailed recipe: --loss logit-adjusted --logit-scale 30 --tau 1); or soft "
                + "distillation (1 - A) CE + A T^2 KL(teacher || student) at temperature T (EfficientMod: A 0.9, T 1); "
                + "or kl: KL(softmax(teacher) || softmax(student)), batch mean, no labels (ISP's predictor loss)")
                .build());
        o.addOption(SessionFlags.runtimeOption());
        o.addOption(SessionFlags.deviceOption());
        o.addOption(Option.builder().longOpt("teacher").hasArg().argName("FILE")
                .desc("--loss kd|kl: teacher ONNX model on the same images (logits output named logits, else the first)")
                .build());
        o.addOption(Option.builder().longOpt("kd-temperature").hasArg().argName("T").desc("(default 1)").build());
        o.addOption(Option.builder().longOpt("kd-alpha").hasArg().argName("A").desc("weight of the distillation "
                + "term (default 0.9)").build());
        o.addOption(Option.builder().longOpt("tau").hasArg().argName("T").desc("logit adjustment strength (default 1)")
                .build());
        o.addOption(Option.builder().longOpt("logit-scale").hasArg().argName("S")
                .desc("logits multiplier inside the logit-adjusted loss (default 1; 30 for CIC's cosine classifier)")
                .build());
        o.addOption(Option.builder().longOpt("ema").hasArg().argName("DECAY").desc("keep an exponential moving "
                + "average of the weights (e.g. 0.9998); evaluation and export use it").build());
        o.addOption(Option.builder().longOpt("accum").hasArg().argName("K").desc("gradient accumulation: K "
                + "micro-batches of --batch per optimizer update (default 1)").build());
        o.addOption(Option.builder().longOpt("workers").hasArg().argName("W").desc("data loader threads (default 2)")
                .build());
        o.addOption(Option.builder().longOpt("export").hasArg().argName("FILE").desc("inference ONNX model (eval-mode "
                + "BN) written here (default DIR/model.onnx)").build());
        o.addOption(Option.builder().longOpt("fold-bn").desc("fold BatchNormalization into the preceding Conv in the "
                + "exported model").build());
        o.addOption(Option.builder().longOpt("clip").hasArg().desc("clip gradients to this global norm").build());
        o.addOption(Option.builder().longOpt("sched").hasArg().argName("cosine|multistep")
                .desc("cosine with linear warm-up (default) or multistep (x0.1 at each of --milestones)").build());
        o.addOption(Option.builder().longOpt("milestones").hasArg().argName("E,E,...").desc("multistep: the epochs"
                + " (0-based, increasing) from which the rate is x0.1 once more (default 50% and 75% of --epochs)")
                .build());
        o.addOption(Option.builder().longOpt("warmup").hasArg().argName("E").desc("warm-up epochs (default 0)").build());
        o.addOption(Option.builder().longOpt("warmup-per-epoch").desc("multistep: the warm-up sets lr * (epoch + 1)"
                + " / E once per epoch (the adjust_learning_rate of CIC's and MoCo's scripts) instead of rising every"
                + " step").build());
        o.addOption(Option.builder().longOpt("warmup-epochs").hasArg().argName("E").desc("timm: warm-up epochs; any"
                + " timm schedule flag makes --sched cosine timm's (warm-up inside the cosine, from --warmup-lr)")
                .build());
        o.addOption(Option.builder().longOpt("warmup-lr").hasArg().argName("LR").desc("timm: learning rate the"
                + " warm-up starts from (default 0)").build());
        o.addOption(Option.builder().longOpt("min-lr").hasArg().argName("LR").desc("timm: the cosine's floor"
                + " (default 0)").build());
        o.addOption(Option.builder().longOpt("cooldown-epochs").hasArg().argName("N").desc("timm: epochs at --min-lr"
                + " after --epochs (trained in addition)").build());
        o.addOption(Option.builder().longOpt("sched-on-updates").desc("timm: change the rate every step, not every"
                + " epoch").build());
        o.addOption(Option.builder().longOpt("threads").hasArg().argName("T").desc("ORT intra-op threads (default 2)")
                .build());
        o.addOption(Option.builder().longOpt("seed").hasArg().desc("seed (default 0)").build());
        o.addOption(Option.builder().longOpt("out").hasArg().argName("DIR")
                .desc("checkpoint, metrics.csv/jsonl and model.onnx go here").build());
        o.addOption(Option.builder().longOpt("resume").desc("continue from DIR/checkpoint.bin").build());
        o.addOption(Option.builder().longOpt("recipe").hasArg().argName("NAME").desc("fill every flag from a paper's"
                + " recipe (" + String.join(", ", RecipeFile.NAMES) + "); flags given explicitly win").build());
        AugmentFlags.add(o);
        o.addOption(Option.builder().longOpt("dry-run").desc("print the effective configuration and exit").build());
        return o;
    }

    @Override
    public int run(CommandLine given, CliContext ctx) throws Exception {
        CommandLine cmd = given;
        if (given.hasOption("recipe")) {
            RecipeFile.Applied recipe = RecipeFile.apply(given.getOptionValue("recipe"), given, options());
            cmd = recipe.cmd();
            if (given.hasOption("dry-run")) {
                RecipeFile.print(recipe, ctx.out());
                AugmentFlags.printEffective(cmd, ctx.out());
                return ExitCode.OK;
            }
        } else if (given.hasOption("dry-run")) {
            for (Option o : given.getOptions()) {
                ctx.out().printf("  --%-20s %s%n", o.getLongOpt(), o.hasArg() ? o.getValue() : "");
            }
            AugmentFlags.printEffective(given, ctx.out());
            return ExitCode.OK;
        }
        if (!cmd.hasOption("out")) {
            throw new UserError("--out DIR is required");
        }
        Path out = OutputPaths.folder(Path.of(cmd.getOptionValue("out")), false);
        SessionConfig.Device device = SessionFlags.trainingDevice(cmd);
        String dataSpec = cmd.getOptionValue("data", "synthetic");
        TrainAugmentation aug = AugmentFlags.augmentation(cmd);
        if (TrainFlags.isSynthetic(dataSpec)) {
            List<String> unused = AugmentFlags.IMAGE_FLAGS.stream().filter(cmd::hasOption).toList();
            if (!unused.isEmpty()) {
                ctx.out().println("synthetic data has no images: " + unused.stream().map(f -> "--" + f).toList()
                        + " not applied (mixup/cutmix and drop path are)");
            }
        } else {
            ctx.out().println("augmentation: " + aug);
        }
        TrainFlags.DataSets data = TrainFlags.datasets(dataSpec, aug);
        Model forward = TrainFlags.model(cmd, data.classes(), data.resolution());
        int epochs = Flags.positiveInt(cmd, "epochs", Flags.MAX_COUNT, 10);
        int batch = Flags.positiveInt(cmd, "batch", Flags.MAX_BATCH, 64);
        Optimizer optimizer = TrainFlags.optimizer(cmd);
        double lr = Flags.doubleIn(cmd, "lr", 0, true, 10, true, optimizer instanceof Optimizer.AdamW ? 1e-3 : 0.1);
        int cooldown = Flags.intIn(cmd, "cooldown-epochs", 0, Flags.MAX_COUNT, 0);
        LrSchedule schedule = schedule(cmd, lr, epochs, ctx);
        Dataset train = data.train();
        Dataset val = data.val();
        Mixup mixup = AugmentFlags.mixup(cmd, data.classes(), smoothing(cmd));
        Loss loss;
        if (mixup != null) {
            // timm: mixup's soft targets (label smoothing folded in) replace the hard-label loss
            if (!cmd.getOptionValue("loss", "ce").equals("ce") || cmd.hasOption("teacher")) {
                throw new UserError("--mixup/--cutmix train on soft targets (KL, smoothing folded in); --loss "
                        + cmd.getOptionValue("loss", "ce") + (cmd.hasOption("teacher") ? " with --teacher" : "")
                        + " does not take them");
            }
            if (batch % 2 != 0) {
                throw new UserError("--mixup/--cutmix pair image i with image batch-1-i: --batch must be even, got "
                        + batch);
            }
            try {
                long[] shape = train.imageShape();
                mixup.checkImageSize(Math.toIntExact(shape[1]), Math.toIntExact(shape[2]));
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
            loss = new Loss.KlDivergence();
            ctx.out().println("mixup: " + mixup + "; loss KL against the mixed soft targets");
        } else {
            loss = loss(cmd, train);
        }
        double dropPath = AugmentFlags.dropPath(cmd);
        TrainConfig cfg = TrainConfig.of(loss, optimizer, batch)
                .withClipNorm(TrainFlags.number(cmd, "clip", 0))
                .withAccumulation(Flags.positiveInt(cmd, "accum", Flags.MAX_COUNT, 1))
                .withEma(TrainFlags.emaDecay(cmd))
                .withDropPath(dropPath);
        if (cmd.hasOption("decay-all")) {
            cfg = cfg.withNoDecay(TrainConfig.NoDecay.NONE);
        }
        if (train.size() < batch * cfg.accumulation()) {
            throw new UserError("--batch " + batch + (cfg.accumulation() > 1 ? " x --accum " + cfg.accumulation() : "")
                    + " is larger than the " + train.size() + " training images");
        }
        TrainStep step;
        try {
            step = TrainStepBuilder.build(forward, cfg);
        } catch (IllegalArgumentException e) {
            if (dropPath > 0 && e.getMessage().contains("drop path")) {
                throw new UserError("--drop-path " + dropPath + ": " + e.getMessage());
            }
            throw e;
        }
        long seed = Flags.longIn(cmd, "seed", 0, Long.MAX_VALUE, 0);
        Path export = cmd.hasOption("export") ? OutputPaths.file(cmd, Flags.path(cmd, "export"), null)
                : out.resolve("model.onnx");
        if (cmd.hasOption("teacher") && !(loss instanceof Loss.Distillation) && !(loss instanceof Loss.KlDivergence)) {
            throw new UserError("--teacher is for --loss kd or kl");
        }
        Model teacher = cmd.hasOption("teacher") ? teacher(Path.of(cmd.getOptionValue("teacher"))) : null;
        try (Trainer t = new Trainer(step, new Trainer.Options(epochs + cooldown, schedule, seed,
                Flags.threads(cmd, 2), out, cmd.hasOption("resume"), ctx.err(), -1,
                Flags.positiveInt(cmd, "workers", Flags.MAX_THREADS, Trainer.DEFAULT_LOADER_WORKERS)).on(device),
                teacher, java.util.Map.of(), mixup)) {
            List<EpochMetrics> h = t.fit(train, val);
            if (data.preprocessing() != null) { // what the evaluation split fed the model is what inference must feed
                forward.metadataProps().put(ModelMetadata.PREPROCESSING, data.preprocessing().toJson());
            }
            Provenance.stamp(forward, ctx);
            t.exportInference(forward, export, cmd.hasOption("fold-bn"));
            if (!h.isEmpty()) {
                EpochMetrics last = h.get(h.size() - 1);
                ctx.out().printf("trained %d epochs: val top-1 %.4f, top-5 %.4f; model written to %s%n", last.epoch(),
                        last.valTop1(), last.valTop5(), export);
            } else {
                ctx.out().println("nothing to do: the checkpoint already has " + epochs + " epochs; model written to "
                        + export);
            }
        }
        return 0;
    }

    private static final List<String> TIMM_SCHEDULE = List.of("warmup-epochs", "warmup-lr", "min-lr",
            "cooldown-epochs", "sched-on-updates");

    /**
     * --sched cosine|multistep with --warmup; any of timm's schedule flags selects timm's cosine exactly (see
     * {@link LrSchedule#timmCosine}), printed so the user sees what runs.
     */
    private static LrSchedule schedule(CommandLine cmd, double lr, int epochs, CliContext ctx) {
        String sched = cmd.getOptionValue("sched", "cosine");
        boolean timm = TIMM_SCHEDULE.stream().anyMatch(cmd::hasOption);
        if (!sched.equals("multistep")) {
            for (String flag : List.of("milestones", "warmup-per-epoch")) {
                if (cmd.hasOption(flag)) {
                    throw new UserError("--" + flag + " belongs to --sched multistep, not --sched " + sched);
                }
            }
        }
        if (timm) {
            if (!sched.equals("cosine")) {
                throw new UserError("--" + TIMM_SCHEDULE.stream().filter(cmd::hasOption).findFirst().orElseThrow()
                        + " is a timm cosine flag; --sched " + sched + " does not take it");
            }
            if (cmd.hasOption("warmup")) {
                throw new UserError("--warmup and --warmup-epochs both given; timm's schedule takes --warmup-epochs");
            }
            double warmup = Flags.doubleIn(cmd, "warmup-epochs", 0, true, 1e6, true, 0); // timm allows it past --epochs
            double warmupLr = Flags.doubleIn(cmd, "warmup-lr", 0, true, 10, true, 0);
            double minLr = Flags.doubleIn(cmd, "min-lr", 0, true, lr, true, 0);
            boolean perStep = cmd.hasOption("sched-on-updates");
            ctx.out().printf("schedule: timm cosine, lr %s, warm-up %s epochs from %s, min %s, %d epochs + %d"
                    + " cooldown, updated per %s%n", lr, warmup, warmupLr, minLr, epochs,
                    Flags.intIn(cmd, "cooldown-epochs", 0, Flags.MAX_COUNT, 0), perStep ? "step" : "epoch");
            return LrSchedule.timmCosine(lr, warmupLr, warmup, minLr, epochs, perStep);
        }
        double warmup = Flags.doubleIn(cmd, "warmup", 0, true, Flags.MAX_COUNT, true, 0); // epochs of linear warm-up
        if (warmup > epochs) {
            ctx.out().printf("schedule: the warm-up (%s epochs) is longer than the %d epochs trained: the rate never"
                    + " reaches --lr %s%n", warmup, epochs, lr);
        }
        if (sched.equals("cosine")) {
            return LrSchedule.cosine(lr, warmup, epochs);
        } else if (sched.equals("multistep")) {
            int[] milestones = cmd.hasOption("milestones") ? milestones(cmd.getOptionValue("milestones"))
                    : new int[] {epochs / 2, epochs * 3 / 4};
            long late = Arrays.stream(milestones).filter(m -> m >= epochs).count();
            if (late > 0) {
                ctx.out().printf("schedule: %d of the milestones %s are at or past the %d epochs trained and never"
                        + " apply%n", late, Arrays.toString(milestones), epochs);
            }
            return LrSchedule.multiStep(lr, milestones, 0.1, warmup, cmd.hasOption("warmup-per-epoch"));
        }
        throw new UserError("--sched must be cosine or multistep, got '" + sched + "'");
    }

    /** --milestones E,E,...: epochs >= 0, strictly increasing. */
    static int[] milestones(String list) {
        String[] parts = list.split(",", -1);
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = (int) Flags.longValue("--milestones " + list + ": entry " + (i + 1), parts[i].strip(), 0,
                    Flags.MAX_COUNT);
            if (i > 0 && out[i] <= out[i - 1]) {
                throw new UserError("--milestones " + list + ": epochs must increase, " + out[i] + " follows "
                        + out[i - 1]);
            }
        }
        return out;
    }

    /** --smoothing or --label-smoothing (one of them), default 0. */
    private static double smoothing(CommandLine cmd) {
        if (cmd.hasOption("smoothing") && cmd.hasOption("label-smoothing")) {
            throw new UserError("--smoothing is --label-smoothing; give one");
        }
        return Flags.doubleIn(cmd, cmd.hasOption("smoothing") ? "smoothing" : "label-smoothing", 0, true, 1, false, 0);
    }

    /** The loss from --loss/--tau/--logit-scale/--label-smoothing; logit adjustment takes the training class prior. */
    private static Loss loss(CommandLine cmd, Dataset train) {
        double smoothing = smoothing(cmd);
        String name = cmd.getOptionValue("loss", "ce");
        if (name.equals("ce")) {
            if (cmd.hasOption("tau") || cmd.hasOption("logit-scale")) {
                throw new UserError("--tau and --logit-scale belong to --loss logit-adjusted");
            }
            return new Loss.CrossEntropy(smoothing);
        }
        if (name.equals("kd")) {
            if (!cmd.hasOption("teacher")) {
                throw new UserError("--loss kd needs --teacher FILE.onnx");
            }
            double alpha = Flags.doubleIn(cmd, "kd-alpha", 0, true, 1, true, 0.9);
            double temperature = Flags.doubleIn(cmd, "kd-temperature", 0, false, 100, true, 1);
            return new Loss.Distillation(temperature, alpha, smoothing);
        }
        if (name.equals("kl")) {
            if (!cmd.hasOption("teacher")) {
                throw new UserError("--loss kl needs --teacher FILE.onnx (its softmax is the target)");
            }
            return new Loss.KlDivergence();
        }
        if (!name.equals("logit-adjusted")) {
            throw new UserError("--loss must be ce, logit-adjusted, kd or kl, got '" + name + "'");
        }
        try {
            return new Loss.LogitAdjusted(Loss.LogitAdjusted.priorOf(train.classCounts()), TrainFlags.number(cmd, "tau", 1),
                    smoothing, TrainFlags.number(cmd, "logit-scale", 1));
        } catch (IllegalArgumentException e) {
            throw new UserError("--loss logit-adjusted: " + e.getMessage());
        }
    }

    private static Model teacher(Path file) throws java.io.IOException {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new UserError("--teacher " + file + ": no such file");
        }
        return Onnx.load(file);
    }
}
