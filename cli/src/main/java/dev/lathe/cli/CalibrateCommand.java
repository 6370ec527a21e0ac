package dev.lathe.cli;

import dev.lathe.calibration.quant.QdqPlan;
import dev.lathe.calibration.stats.Calibration;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.SessionConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe calibrate}: per-tensor quantization ranges of an FP32 model from unlabelled data, as JSON. Tensor
 * names are those of the model after {@link QdqPlan#prepare} (BatchNorm folded), which {@code lathe quantize} uses.
 */
public final class CalibrateCommand implements Command {
    @Override
    public String name() {
        return "calibrate";
    }

    @Override
    public String summary() {
        return "per-tensor INT8 ranges of an FP32 model from unlabelled data (minmax, percentile, entropy, mse)";
    }

    @Override
    public String usage() {
        return "M.onnx --data synthetic[:k=v,...]|imagefolder:DIR|cifar10:DIR|cifar100:DIR|npy:DIR [--method entropy|minmax|"
                + "percentile|mse] [--percentile P] [--symmetric] [--samples N] [--batch B] [--seed S] [--tensors A,B]"
                + " [--runtime NAME] -o ranges.json";
    }

    @Override
    public Options options() {
        Options o = CalibrationFlags.add(new Options());
        o.addOption(Option.builder().longOpt("tensors").hasArg().argName("A,B,...").desc("tensors to calibrate"
                + " (default: every activation entering or leaving an op either quantize target quantizes)").build());
        SessionFlags.add(o);
        o.addOption(Option.builder("o").longOpt("output").hasArg().argName("ranges.json")
                .desc("where to write the ranges (JSON, replaced atomically)").build());
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        Path file = CliArgs.existingModel(cmd);
        Path out = OutputPaths.file(cmd, "output", file);
        CalibrationFlags.Settings s = CalibrationFlags.parse(cmd);
        if (s.data() == null) {
            throw new UserError("--data SPEC is required (e.g. imagefolder:DIR, npy:DIR, synthetic:size=224)");
        }
        Model prepared = QdqPlan.prepare(TrainFlags.fromFile(file));
        List<String> tensors = tensors(cmd, prepared, file);
        InferenceRuntime runtime = SessionFlags.runtime(cmd);
        SessionConfig config = SessionFlags.config(cmd, runtime);
        Calibration.Result r = SessionFlags.reported(file, () -> Calibration.collect(runtime, config, prepared,
                tensors, s.data()));
        RangesFile.write(out, RangesFile.json(file.getFileName().toString(), s.method(), s.percentile(),
                s.symmetric(), r.samples(), r.stats()));
        ctx.out().printf("%s ranges of %d tensors from %s (%d samples) -> %s%n", s.method().label(), tensors.size(),
                s.data().describe(), r.samples(), out);
        return ExitCode.OK;
    }

    private static List<String> tensors(CommandLine cmd, Model model, Path file) {
        if (!cmd.hasOption("tensors")) {
            return QdqPlan.calibrationTensors(model);
        }
        Set<String> known = new HashSet<>();
        model.graph().inputs().forEach(v -> known.add(v.name()));
        for (Node n : model.graph().nodes()) {
            n.outputs().forEach(v -> known.add(v.name()));
        }
        List<String> names = Arrays.stream(cmd.getOptionValue("tensors").split(",")).map(String::trim)
                .filter(t -> !t.isEmpty()).distinct().toList();
        if (names.isEmpty()) {
            throw new UserError("--tensors needs at least one tensor name");
        }
        for (String t : names) {
            if (!known.contains(t) || model.graph().initializer(t) != null) {
                throw new UserError("--tensors: " + file + " has no activation named '" + t + "'");
            }
        }
        return names;
    }
}
