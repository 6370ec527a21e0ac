package dev.lathe.cli;

import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.train.Accuracy;
import dev.lathe.runtime.train.Evaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code lathe eval}: top-1/top-5 accuracy of an inference model on a dataset. */
public final class EvalCommand implements Command {

    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String summary() {
        return "top-1/top-5 accuracy of an ONNX classifier on a dataset";
    }

    @Override
    public String usage() {
        return "--onnx FILE --data synthetic[:k=v,...]|cifar10:DIR|cifar100:DIR[,lt=IF]|imagefolder:DIR[,res=R]|imagenet-lt:LIST,ROOT [--batch B] [--threads T] [--runtime NAME] [--device cpu|cuda[:N]]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("onnx").hasArg().argName("FILE").desc("inference model").build());
        o.addOption(Option.builder().longOpt("data").hasArg().argName("SPEC")
                .desc("the same synthetic spec as lathe train; its validation split is used").build());
        o.addOption(Option.builder().longOpt("batch").hasArg().argName("B").desc("batch size (default 64)").build());
        o.addOption(Option.builder().longOpt("threads").hasArg().argName("T").desc("threads (default 2)").build());
        o.addOption(SessionFlags.runtimeOption());
        o.addOption(SessionFlags.deviceOption());
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        if (!cmd.hasOption("onnx")) {
            throw new UserError("--onnx FILE is required");
        }
        Path file = Path.of(cmd.getOptionValue("onnx"));
        if (!Files.isRegularFile(file)) {
            throw new UserError("--onnx " + file + ": no such file");
        }
        TrainFlags.DataSets data = TrainFlags.datasets(cmd.getOptionValue("data", "synthetic"));
        InferenceRuntime runtime = SessionFlags.runtime(cmd);
        SessionConfig config = SessionConfig.defaults().withDevice(SessionFlags.device(cmd, runtime))
                .withThreads(Flags.threads(cmd, 2), 0);
        try (Session session = SessionFlags.open(runtime, file, config)) {
            Accuracy acc = Evaluation.run(session, data.val(), Flags.positiveInt(cmd, "batch", Flags.MAX_BATCH, 64));
            ctx.out().printf("top-1 %.4f  top-5 %.4f  (%d images)%n", acc.top1(), acc.top5(), data.val().size());
        }
        return 0;
    }
}
