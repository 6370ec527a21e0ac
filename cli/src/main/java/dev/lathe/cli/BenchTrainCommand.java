package dev.lathe.cli;

import dev.lathe.graph.train.Loss;
import dev.lathe.graph.train.Optimizer;
import dev.lathe.graph.train.TrainConfig;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.graph.train.TrainStepBuilder;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.ort.train.TrainBenchmark;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code lathe bench train}: images per second of full SGD training steps of a zoo model on ONNX Runtime. */
public final class BenchTrainCommand implements Command {

    @Override
    public String name() {
        return "bench train";
    }

    @Override
    public String summary() {
        return "measure training throughput (images/s of full forward+backward+update steps)";
    }

    @Override
    public String usage() {
        return "--model NAME --batch B --resolution R [--classes C] [--threads T] [--steps N] [--warmup N]"
                + " [--opt sgd|adamw] [--accum K] [--ema DECAY] [--runtime ort-cpu|ort-cuda] [--device cpu|cuda[:N]]"
                + " [--json]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("model").hasArg().argName("NAME").desc("zoo model name").build());
        o.addOption(Option.builder().longOpt("batch").hasArg().argName("B").desc("batch size (default 16)").build());
        o.addOption(Option.builder().longOpt("resolution").hasArg().argName("R").desc("input size (default 224)")
                .build());
        o.addOption(Option.builder().longOpt("classes").hasArg().argName("C").desc("classes (default 1000)").build());
        o.addOption(Option.builder().longOpt("threads").hasArg().argName("T").desc("ORT intra-op threads (default 2)")
                .build());
        o.addOption(Option.builder().longOpt("steps").hasArg().argName("N").desc("measured steps (default 5)").build());
        o.addOption(Option.builder().longOpt("warmup").hasArg().argName("N").desc("warm-up steps (default 2)").build());
        o.addOption(Option.builder().longOpt("opt").hasArg().argName("sgd|adamw").desc("optimizer (default sgd: "
                + "momentum 0.9, weight decay 1e-4, as the PyTorch peer)").build());
        o.addOption(Option.builder().longOpt("accum").hasArg().argName("K").desc("gradient accumulation: each "
                + "measured step is one micro-batch, every K-th applies the update (default 1)").build());
        o.addOption(Option.builder().longOpt("ema").hasArg().argName("DECAY").desc("also update a weight EMA (default "
                + "off)").build());
        o.addOption(SessionFlags.runtimeOption());
        o.addOption(SessionFlags.deviceOption());
        o.addOption(Option.builder().longOpt("json").desc("print the result as JSON").build());
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        if (!cmd.hasOption("model")) {
            throw new UserError("--model NAME is required");
        }
        SessionConfig.Device device = SessionFlags.trainingDevice(cmd);
        int batch = Flags.positiveInt(cmd, "batch", Flags.MAX_BATCH, 16);
        int resolution = Flags.positiveInt(cmd, "resolution", Flags.MAX_RESOLUTION, 224);
        int classes = Flags.positiveInt(cmd, "classes", Flags.MAX_CLASSES, 1000);
        Optimizer optimizer = cmd.getOptionValue("opt", "sgd").equals("sgd") ? new Optimizer.Sgd(0.9, false, 1e-4)
                : TrainFlags.optimizer(cmd);
        TrainConfig cfg = TrainConfig.of(new Loss.CrossEntropy(0), optimizer, batch)
                .withAccumulation(Flags.positiveInt(cmd, "accum", Flags.MAX_COUNT, 1))
                .withEma(TrainFlags.emaDecay(cmd));
        TrainStep step = TrainStepBuilder.build(TrainFlags.model(cmd, classes, resolution), cfg);
        TrainBenchmark.Result r = TrainBenchmark.run(cmd.getOptionValue("model"), step, classes, resolution,
                Flags.threads(cmd, 2), Flags.intIn(cmd, "warmup", 0,
                        Flags.MAX_COUNT, 2), Flags.positiveInt(cmd, "steps", Flags.MAX_COUNT, 5), device);
        ctx.out().println(cmd.hasOption("json") ? r.toJson() : r.summary());
        return 0;
    }
}
