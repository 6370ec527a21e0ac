package dev.lathe.cli;

import dev.lathe.graph.ir.Model;
import dev.lathe.graph.train.Loss;
import dev.lathe.graph.train.Optimizer;
import dev.lathe.graph.train.TrainConfig;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.graph.train.TrainStepBuilder;
import dev.lathe.runtime.data.Dataset;
import dev.lathe.runtime.train.EpochMetrics;
import dev.lathe.runtime.train.LrSchedule;
import dev.lathe.runtime.train.Trainer;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
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
        return "--model NAME|--onnx FILE --data synthetic[:k=v,...]|cifar100:DIR[,lt=IF]|imagefolder:DIR[,res=R]|imagenet-lt:LIST,ROOT --epochs N --batch B --lr LR [--opt sgd|adamw]"
                + " [--sched cosine|multistep] [--warmup E] --out DIR [--resume]";
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
        o.addOption(Option.builder().longOpt("opt").hasArg().argName("sgd|adamw").desc("optimizer (default sgd)").build());
        o.addOption(Option.builder().longOpt("momentum").hasArg().desc("SGD momentum (default 0.9, Nesterov)").build());
        o.addOption(Option.builder().longOpt("wd").hasArg().desc("weight decay (default 5e-4 sgd, 0.05 adamw); "
                + "never on norms and biases").build());
        o.addOption(Option.builder().longOpt("label-smoothing").hasArg().desc("(default 0)").build());
        o.addOption(Option.builder().longOpt("clip").hasArg().desc("clip gradients to this global norm").build());
        o.addOption(Option.builder().longOpt("sched").hasArg().argName("cosine|multistep")
                .desc("cosine with linear warm-up (default) or multistep (x0.1 at 50% and 75%)").build());
        o.addOption(Option.builder().longOpt("warmup").hasArg().argName("E").desc("warm-up epochs (default 0)").build());
        o.addOption(Option.builder().longOpt("threads").hasArg().argName("T").desc("ORT intra-op threads (default 2)")
                .build());
        o.addOption(Option.builder().longOpt("seed").hasArg().desc("seed (default 0)").build());
        o.addOption(Option.builder().longOpt("out").hasArg().argName("DIR")
                .desc("checkpoint, metrics.csv/jsonl and model.onnx go here").build());
        o.addOption(Option.builder().longOpt("resume").desc("continue from DIR/checkpoint.bin").build());
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        if (!cmd.hasOption("out")) {
            throw new UserError("--out DIR is required");
        }
        TrainFlags.DataSets data = TrainFlags.datasets(cmd.getOptionValue("data", "synthetic"));
        Supplier<Model> forward = TrainFlags.model(cmd, data.classes(), data.resolution());
        int epochs = TrainFlags.positiveInt(cmd, "epochs", 10);
        int batch = TrainFlags.positiveInt(cmd, "batch", 64);
        String opt = cmd.getOptionValue("opt", "sgd");
        Optimizer optimizer;
        double lr;
        if (opt.equals("sgd")) {
            optimizer = new Optimizer.Sgd(TrainFlags.number(cmd, "momentum", 0.9), true, TrainFlags.number(cmd, "wd", 5e-4));
            lr = TrainFlags.number(cmd, "lr", 0.1);
        } else if (opt.equals("adamw")) {
            optimizer = new Optimizer.AdamW(0.9, 0.999, 1e-8, TrainFlags.number(cmd, "wd", 0.05));
            lr = TrainFlags.number(cmd, "lr", 1e-3);
        } else {
            throw new UserError("--opt must be sgd or adamw, got '" + opt + "'");
        }
        double warmup = TrainFlags.number(cmd, "warmup", 0);
        String sched = cmd.getOptionValue("sched", "cosine");
        LrSchedule schedule;
        if (sched.equals("cosine")) {
            schedule = LrSchedule.cosine(lr, warmup, epochs);
        } else if (sched.equals("multistep")) {
            schedule = LrSchedule.multiStep(lr, new int[] {epochs / 2, epochs * 3 / 4}, 0.1, warmup);
        } else {
            throw new UserError("--sched must be cosine or multistep, got '" + sched + "'");
        }
        TrainConfig cfg = TrainConfig.of(new Loss.CrossEntropy(TrainFlags.number(cmd, "label-smoothing", 0)), optimizer,
                batch).withClipNorm(TrainFlags.number(cmd, "clip", 0));
        Dataset train = data.train();
        Dataset val = data.val();
        if (train.size() < batch) {
            throw new UserError("--batch " + batch + " is larger than the " + train.size() + " training images");
        }
        TrainStep step = TrainStepBuilder.build(forward, cfg);
        Path out = Path.of(cmd.getOptionValue("out"));
        long seed = cmd.hasOption("seed") ? Long.parseLong(cmd.getOptionValue("seed")) : 0;
        try (Trainer t = new Trainer(step, new Trainer.Options(epochs, schedule, seed,
                TrainFlags.positiveInt(cmd, "threads", 2), out, cmd.hasOption("resume"), ctx.err(), -1))) {
            List<EpochMetrics> h = t.fit(train, val);
            t.exportInference(forward.get(), out.resolve("model.onnx"));
            if (!h.isEmpty()) {
                EpochMetrics last = h.get(h.size() - 1);
                ctx.out().printf("trained %d epochs: val top-1 %.4f, top-5 %.4f; model written to %s%n", last.epoch(),
                        last.valTop1(), last.valTop5(), out.resolve("model.onnx"));
            } else {
                ctx.out().println("nothing to do: the checkpoint already has " + epochs + " epochs; model written to "
                        + out.resolve("model.onnx"));
            }
        }
        return 0;
    }
}
