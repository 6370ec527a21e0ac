package dev.lathe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.calibration.data.CalibrationData;
import dev.lathe.calibration.quant.Agreement;
import dev.lathe.calibration.quant.Fp16Conversion;
import dev.lathe.calibration.quant.QdqPlan;
import dev.lathe.calibration.quant.QuantOptions;
import dev.lathe.calibration.quant.QuantTarget;
import dev.lathe.calibration.quant.Quantizer;
import dev.lathe.calibration.quant.Sensitivity;
import dev.lathe.calibration.method.CalibrationRange;
import dev.lathe.calibration.stats.Calibration;
import dev.lathe.converter.meta.ModelMetadata;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.SessionConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe quantize}: an INT8 Q/DQ model for ONNX Runtime CPU or TensorRT (or an FP16 model) from calibration
 * data or a ranges file, with a before/after report: size, which ops are quantized, per-layer SQNR, top-1 agreement
 * with FP32 and accuracy when the data has labels. Target, method and ranges go into the model's metadata_props.
 */
public final class QuantizeCommand implements Command {
    /** Per-layer SQNR reads every layer's output twice per batch: a few small batches keep that memory small. */
    static final int PROBE_SAMPLES = 32;
    static final int PROBE_BATCH = 8;

    @Override
    public String name() {
        return "quantize";
    }

    @Override
    public String summary() {
        return "INT8 Q/DQ model for ORT CPU or TensorRT (or FP16), calibrated from data, with SQNR and agreement";
    }

    @Override
    public String usage() {
        return "M.onnx (--data SPEC | --ranges ranges.json) [--target ort-cpu|tensorrt] [--method entropy|minmax|"
                + "percentile|mse] [--per-tensor] [--exclude first,last,NODE,op:TYPE] [--max-agreement-drop PCT]"
                + " [--fp16 [--fp16-keep OPS] [--fp16-io]] [--runtime NAME] -o M.int8.onnx";
    }

    @Override
    public Options options() {
        Options o = CalibrationFlags.add(new Options());
        o.addOption(Option.builder().longOpt("ranges").hasArg().argName("ranges.json").desc("ranges from lathe"
                + " calibrate instead of calibrating here (--data then only measures agreement)").build());
        o.addOption(Option.builder().longOpt("target").hasArg().argName("ort-cpu|tensorrt").desc("Q/DQ layout:"
                + " ort-cpu (default; every activation of a quantized op, uint8, runs as ORT's integer kernels) or"
                + " tensorrt (int8 symmetric on layer inputs, TensorRT's explicit quantization)").build());
        o.addOption(Option.builder().longOpt("per-tensor").desc("one weight scale per tensor (default: per output"
                + " channel)").build());
        o.addOption(Option.builder().longOpt("exclude").hasArg().argName("LIST").desc("layers kept in float: node"
                + " names, op:TYPE, first, last (the first/last Conv/Gemm/MatMul), comma-separated").build());
        o.addOption(Option.builder().longOpt("max-agreement-drop").hasArg().argName("PCT").desc("keep the layers"
                + " with the lowest SQNR in float until top-1 agreement with FP32 on --data is at least 100 - PCT %;"
                + " missing it exits 2 and writes nothing unless --allow-partial").build());
        o.addOption(Option.builder().longOpt("allow-partial").desc("write the model even when"
                + " --max-agreement-drop is not met").build());
        o.addOption(Option.builder().longOpt("fp16").desc("convert to float16 instead of INT8 (no calibration)")
                .build());
        o.addOption(Option.builder().longOpt("fp16-keep").hasArg().argName("OPS").desc("with --fp16: op types kept"
                + " in float32 (default " + String.join(",", new TreeSet<>(Fp16Conversion.KEEP_FLOAT)) + ")").build());
        o.addOption(Option.builder().longOpt("fp16-io").desc("with --fp16: float16 graph inputs and outputs too"
                + " (default: they stay float32, with Casts)").build());
        o.addOption(Option.builder().longOpt("layers").desc("print every layer's SQNR (default: the five lowest)")
                .build());
        SessionFlags.add(o);
        o.addOption(OutputPaths.inPlaceOption());
        o.addOption(Option.builder("o").longOpt("output").hasArg().argName("OUT.onnx")
                .desc("where to write the model (replaced atomically)").build());
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        Path file = CliArgs.existingModel(cmd);
        Path out = OutputPaths.file(cmd, "output", file);
        CalibrationFlags.Settings cal = CalibrationFlags.parse(cmd);
        boolean fp16 = cmd.hasOption("fp16");
        for (String flag : List.of("fp16-keep", "fp16-io")) {
            if (cmd.hasOption(flag) && !fp16) {
                throw new UserError("--" + flag + " applies to --fp16");
            }
        }
        if (!fp16 && cal.data() == null && !cmd.hasOption("ranges")) {
            throw new UserError("--data SPEC (to calibrate) or --ranges ranges.json (from lathe calibrate) is required;"
                    + " --fp16 needs neither");
        }
        double maxDrop = Flags.doubleIn(cmd, "max-agreement-drop", 0, true, 100, true, Double.NaN);
        if (!Double.isNaN(maxDrop) && cal.data() == null) {
            throw new UserError("--max-agreement-drop measures agreement on --data SPEC, which is missing");
        }
        Model source = TrainFlags.fromFile(file);
        Model prepared = QdqPlan.prepare(source);
        InferenceRuntime runtime = SessionFlags.runtime(cmd);
        SessionConfig config = SessionFlags.config(cmd, runtime);
        PrintStream p = ctx.out();
        CalibrationData measured = cal.data() == null ? null : CalibrationFlags.labelledFor(cal.data(), prepared, p);

        Model result;
        String summary;
        if (fp16) {
            Set<String> keep = cmd.hasOption("fp16-keep") ? list(cmd.getOptionValue("fp16-keep"))
                    : Fp16Conversion.KEEP_FLOAT;
            result = Fp16Conversion.convert(prepared, keep, !cmd.hasOption("fp16-io"));
            result.metadataProps().put("lathe.precision", "fp16");
            result.metadataProps().put("lathe.fp16.kept_float_ops", String.join(",", new TreeSet<>(keep)));
            summary = "fp16";
            p.printf("%-11s %s -> %s (float16%s)%n", "model", file, out, cmd.hasOption("fp16-io") ? ""
                    : ", float32 inputs and outputs");
            printSize(p, prepared, result);
            if (cal.data() != null) {
                printAgreement(p, SessionFlags.reported(file, () -> Agreement.measure(runtime, config, prepared,
                        result, measured)), "FP16");
            }
        } else {
            QuantOptions options = options(cmd);
            String method;
            Map<String, CalibrationRange> ranges;
            if (cmd.hasOption("ranges")) {
                RangesFile.Loaded loaded = RangesFile.read(Path.of(cmd.getOptionValue("ranges")));
                method = loaded.method();
                ranges = loaded.ranges();
            } else {
                method = cal.method().label();
                Calibration.Result c = SessionFlags.reported(file, () -> Calibration.collect(runtime, config,
                        prepared, QdqPlan.calibrationTensors(prepared), cal.data()));
                ranges = Quantizer.ranges(c.stats(), cal.method(), cal.percentile(), cal.symmetric());
            }
            CalibrationData probe = cal.subset(PROBE_SAMPLES, PROBE_BATCH);
            Quantizer.Result r = SessionFlags.reported(file, () -> Quantizer.quantize(runtime, config, prepared,
                    ranges, new Quantizer.Request(options, maxDrop, true), measured, probe));
            result = r.model();
            summary = options.target().label() + ", " + method;
            p.printf("%-11s %s -> %s (%s, %s calibration, %s weights)%n", "model", file, out,
                    options.target().label(), method, options.perChannel() ? "per-channel" : "per-tensor");
            printSize(p, prepared, result);
            report(p, prepared, r, cmd.hasOption("layers"));
            if (!r.budgetMet()) {
                String miss = String.format(Locale.ROOT, "top-1 agreement %.2f%% misses the budget of %.2f%% even"
                        + " with %d layers in float", r.agreement().percent(), 100 - maxDrop, r.fallbacks().size());
                if (!cmd.hasOption("allow-partial")) {
                    throw new UserError(file + ": " + miss + "; nothing written (--allow-partial writes it)");
                }
                p.println("warning: " + miss + "; written because of --allow-partial");
            }
            writeMetadata(result, options, method, ranges, r);
        }
        Provenance.stamp(result, ctx); // the input's lathe.* metadata (preprocessing, labels) is carried
        Onnx.save(result, out); // Onnx.save writes a temp file and renames it
        p.printf("wrote %s (%s)%n", out, summary);
        return ExitCode.OK;
    }

    private static QuantOptions options(CommandLine cmd) {
        QuantTarget target;
        try {
            target = QuantTarget.parse(cmd.getOptionValue("target", QuantTarget.ORT_CPU.label()));
        } catch (IllegalArgumentException e) {
            throw new UserError("--target: " + e.getMessage());
        }
        QuantOptions o = QuantOptions.of(target);
        if (cmd.hasOption("per-tensor")) {
            o = o.perTensor();
        }
        return cmd.hasOption("exclude") ? o.excluding(List.copyOf(list(cmd.getOptionValue("exclude")))) : o;
    }

    private static Set<String> list(String csv) {
        Set<String> out = new LinkedHashSet<>();
        for (String s : csv.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        if (out.isEmpty()) {
            throw new UserError("empty list '" + csv + "'");
        }
        return out;
    }

    private static void printSize(PrintStream p, Model before, Model after) {
        long a = Onnx.toBytes(before).length;
        long b = Onnx.toBytes(after).length;
        p.printf(Locale.ROOT, "%-11s %s -> %s (%.2fx)%n", "size", mib(a), mib(b), (double) b / a);
    }

    private static String mib(long bytes) {
        return bytes >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0)
                : String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }

    /** Which ops are quantized, SQNR, agreement, accuracy and the fallback, one topic per line. */
    static void report(PrintStream p, Model prepared, Quantizer.Result r, boolean allLayers) {
        Map<String, int[]> ops = new TreeMap<>();
        Set<String> folded = r.plan().foldedActivations();
        for (Node n : prepared.graph().nodes()) {
            if (folded.contains(n.name())) {
                continue;
            }
            int[] c = ops.computeIfAbsent(n.opType(), k -> new int[2]);
            c[1]++;
            if (r.plan().quantizedNodes().contains(n.name())) {
                c[0]++;
            }
        }
        p.printf("%-11s %s%n", "quantized", ops.entrySet().stream().filter(e -> e.getValue()[0] > 0)
                .map(e -> e.getKey() + " " + e.getValue()[0] + "/" + e.getValue()[1]).collect(Collectors.joining(", ")));
        String floatOps = ops.entrySet().stream().filter(e -> e.getValue()[0] < e.getValue()[1])
                .map(e -> e.getKey() + " " + (e.getValue()[1] - e.getValue()[0])).collect(Collectors.joining(", "));
        p.printf("%-11s %s%n", "float", floatOps.isEmpty() ? "none" : floatOps);
        if (!folded.isEmpty()) {
            p.printf("%-11s %d ReLU/Clip folded into the output Q of the op before them%n", "folded", folded.size());
        }
        if (!r.plan().excluded().isEmpty()) {
            p.printf("%-11s %s%n", "excluded", String.join(", ", r.plan().excluded()));
        }
        if (!r.sqnr().isEmpty()) {
            List<Sensitivity.LayerSqnr> worst = new ArrayList<>(r.sqnr());
            worst.sort(Comparator.comparingDouble(Sensitivity.LayerSqnr::sqnrDb));
            p.printf(Locale.ROOT, "%-11s median %.1f dB over %d layers (each quantized alone); lowest: %s%n", "SQNR",
                    Sensitivity.median(r.sqnr()), r.sqnr().size(), worst.stream().limit(5)
                            .map(l -> String.format(Locale.ROOT, "%s %.1f dB", l.node(), l.sqnrDb()))
                            .collect(Collectors.joining(", ")));
            if (allLayers) {
                for (Sensitivity.LayerSqnr l : r.sqnr()) {
                    p.printf(Locale.ROOT, "  %-40s %-14s %6.1f dB%n", l.node(), l.opType(), l.sqnrDb());
                }
            }
        }
        for (Quantizer.Fallback f : r.fallbacks()) {
            p.printf(Locale.ROOT, "%-11s %s (%.1f dB) kept in float: agreement %.2f%% -> %.2f%%%n", "fallback",
                    f.node(), f.sqnrDb(), f.agreementBefore(), f.agreementAfter());
        }
        if (r.agreement() != null) {
            printAgreement(p, r.agreement(), "INT8");
        }
    }

    private static void printAgreement(PrintStream p, Agreement a, String what) {
        p.printf(Locale.ROOT, "%-11s top-1 %.2f%% of %d images (FP32 vs %s)%n", "agreement", a.percent(), a.samples(),
                what);
        if (a.labelled() > 0) {
            p.printf(Locale.ROOT, "%-11s FP32 %.2f%% -> %s %.2f%% (%+.2f points, %d labelled images)%n", "accuracy",
                    a.referenceAccuracy(), what, a.quantizedAccuracy(), a.quantizedAccuracy() - a.referenceAccuracy(),
                    a.labelled());
        }
    }

    /** Target, method, weights, exclusions and every range, as metadata_props of the quantized model. */
    static void writeMetadata(Model m, QuantOptions options, String method, Map<String, CalibrationRange> ranges,
            Quantizer.Result r) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode rangeJson = json.createObjectNode();
        Map<String, CalibrationRange> used = new LinkedHashMap<>();
        r.plan().rangeTensors().forEach(t -> used.put(t, ranges.get(t)));
        used.forEach((t, range) -> rangeJson.putArray(t).add(range.min()).add(range.max()));
        Map<String, String> md = m.metadataProps();
        md.put("lathe.quantization.target", options.target().label());
        md.put("lathe.quantization.method", method);
        md.put(ModelMetadata.CALIBRATION, method);
        md.put("lathe.quantization.weights", options.perChannel() ? "int8 per-channel symmetric"
                : "int8 per-tensor symmetric");
        md.put("lathe.quantization.activations", options.target() == QuantTarget.ORT_CPU ? "uint8 asymmetric"
                : "int8 symmetric");
        List<String> floats = new ArrayList<>(r.plan().excluded());
        md.put("lathe.quantization.float_layers", String.join(",", floats));
        md.put("lathe.quantization.ranges", rangeJson.toString());
        if (r.agreement() != null) {
            md.put("lathe.quantization.agreement", String.format(Locale.ROOT, "%.4f", r.agreement().percent()));
        }
    }
}
