package dev.lathe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.converter.deploy.Bundle;
import dev.lathe.converter.deploy.PackageException;
import dev.lathe.converter.deploy.TritonConfig;
import dev.lathe.converter.deploy.TritonRepository;
import dev.lathe.converter.meta.ModelMetadata;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.graph.validate.ModelValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe package M.onnx --format triton|bundle -o OUT}: a Triton model repository entry (config.pbtxt through
 * Triton's schema, version folder, labels) or a Lathe bundle (models, preprocessing, labels, SHA-256 manifest).
 */
public final class PackageCommand implements Command {
    @Override
    public String name() {
        return "package";
    }

    @Override
    public String summary() {
        return "package a model as a Triton model repository or a verified Lathe bundle";
    }

    @Override
    public String usage() {
        return "M.onnx [MORE.onnx...] --format triton|bundle -o OUT [--name N] [--max-batch B] [--instances K]"
                + " [--kind auto|cpu|gpu] [--dynamic-batching [--max-queue-delay-us U]] [--plan M.plan]"
                + " [--trt-accelerator FP32|FP16|INT8] [--overwrite] [--zip] [--extra extra.json]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("format").hasArg().argName("triton|bundle").desc("what to write").build());
        o.addOption(Option.builder("o").longOpt("output").hasArg().argName("OUT")
                .desc("triton: the repository folder (created if missing; the model goes to OUT/NAME); bundle: the"
                        + " bundle folder (must not exist)").build());
        o.addOption(Option.builder().longOpt("name").hasArg().argName("N")
                .desc("model name (default: the model's lathe.name, else the file name)").build());
        o.addOption(Option.builder().longOpt("max-batch").hasArg().argName("B")
                .desc("triton max_batch_size (default 8 when the batch is symbolic, 0 when fixed)").build());
        o.addOption(Option.builder().longOpt("instances").hasArg().argName("K").desc("triton instance_group count")
                .build());
        o.addOption(Option.builder().longOpt("kind").hasArg().argName("auto|cpu|gpu")
                .desc("triton instance kind (default auto: Triton's choice)").build());
        o.addOption(Option.builder().longOpt("dynamic-batching").desc("enable Triton's dynamic batcher").build());
        o.addOption(Option.builder().longOpt("max-queue-delay-us").hasArg().argName("U")
                .desc("the dynamic batcher's max_queue_delay_microseconds").build());
        o.addOption(Option.builder().longOpt("plan").hasArg().argName("M.plan")
                .desc("deploy this TensorRT plan (platform tensorrt_plan); M.onnx still gives the I/O and metadata")
                .build());
        o.addOption(Option.builder().longOpt("trt-accelerator").hasArg().argName("FP32|FP16|INT8")
                .desc("ONNX on GPU: let the ORT backend build TensorRT engines at this precision").build());
        o.addOption(Option.builder().longOpt("overwrite").desc("triton: replace an existing OUT/NAME").build());
        o.addOption(Option.builder().longOpt("zip").desc("bundle: also write OUT.zip").build());
        o.addOption(Option.builder().longOpt("extra").hasArg().argName("extra.json")
                .desc("bundle: JSON stored in the manifest's extra (e.g. a cascade's thresholds and costs)").build());
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        List<String> args = cmd.getArgList();
        if (args.isEmpty()) {
            throw new UserError("expected M.onnx (and, for a bundle, more models)");
        }
        String format = cmd.getOptionValue("format");
        if (format == null) {
            throw new UserError("pass --format triton or --format bundle");
        }
        Path out = Flags.path(cmd, "output");
        if (out == null) {
            throw new UserError("no output; pass -o OUT");
        }
        List<Path> models = new ArrayList<>();
        for (String a : args) {
            Path p = Path.of(a);
            if (!Files.isRegularFile(p)) {
                throw new UserError("model file not found: " + p);
            }
            models.add(p);
        }
        try {
            switch (format.toLowerCase(Locale.ROOT)) {
                case "triton" -> triton(cmd, ctx, models, out);
                case "bundle" -> bundle(cmd, ctx, models, out);
                default -> throw new UserError("--format must be triton or bundle, got '" + format + "'");
            }
        } catch (PackageException e) {
            throw new UserError(e.getMessage(), e);
        }
        return 0;
    }

    private static void triton(CommandLine cmd, CliContext ctx, List<Path> models, Path repo) throws Exception {
        if (models.size() != 1) {
            throw new UserError("--format triton packages one model per call, got " + models.size());
        }
        for (String bundleOnly : List.of("zip", "extra")) {
            if (cmd.hasOption(bundleOnly)) {
                throw new UserError("--" + bundleOnly + " is for --format bundle");
            }
        }
        Path file = models.get(0);
        Model model = load(file);
        OutputPaths.folder(repo, false);
        Path plan = Flags.path(cmd, "plan");
        if (plan != null && !Files.isRegularFile(plan)) {
            throw new UserError("plan file not found: " + plan);
        }
        String name = cmd.getOptionValue("name", ModelMetadata.get(model, ModelMetadata.NAME).orElse(stem(file)));
        TritonConfig.Kind kind;
        try {
            kind = TritonConfig.Kind.valueOf(cmd.getOptionValue("kind", "auto").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UserError("--kind must be auto, cpu or gpu, got '" + cmd.getOptionValue("kind") + "'");
        }
        if (cmd.hasOption("max-queue-delay-us") && !cmd.hasOption("dynamic-batching")) {
            throw new UserError("--max-queue-delay-us configures --dynamic-batching; pass both");
        }
        TritonConfig.Options o = new TritonConfig.Options(name,
                cmd.hasOption("max-batch") ? Flags.intIn(cmd, "max-batch", 0, Flags.MAX_BATCH, 0) : -1,
                Flags.intIn(cmd, "instances", 1, 1024, 0), kind, cmd.hasOption("dynamic-batching"),
                Flags.longIn(cmd, "max-queue-delay-us", 0, 60_000_000L, 0), plan != null,
                cmd.getOptionValue("trt-accelerator"), null);
        OutputPaths.folder(repo, true);
        Path dir = TritonRepository.write(file, model, repo, o, plan, cmd.hasOption("overwrite"));
        ctx.out().println("wrote Triton model " + dir + " (config.pbtxt, 1/" + (plan != null ? "model.plan" : "model.onnx")
                + (Files.exists(dir.resolve(TritonRepository.LABELS)) ? ", " + TritonRepository.LABELS : "") + ")");
    }

    private static void bundle(CommandLine cmd, CliContext ctx, List<Path> models, Path out) throws Exception {
        for (String tritonOnly : List.of("max-batch", "instances", "kind", "dynamic-batching", "max-queue-delay-us",
                "plan", "trt-accelerator", "overwrite")) {
            if (cmd.hasOption(tritonOnly)) {
                throw new UserError("--" + tritonOnly + " is for --format triton");
            }
        }
        for (Path m : models) {
            load(m);
        }
        OutputPaths.folder(out, false);
        if (Files.exists(out)) {
            throw new UserError("cannot write bundle " + out + ": it exists; remove it or choose another -o");
        }
        JsonNode extra = null;
        Path extraFile = Flags.path(cmd, "extra");
        if (extraFile != null) {
            if (!Files.isRegularFile(extraFile)) {
                throw new UserError("--extra file not found: " + extraFile);
            }
            try {
                extra = new ObjectMapper().readTree(extraFile.toFile());
            } catch (java.io.IOException e) {
                throw new UserError(extraFile + " is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        Path dir = Bundle.write(models, out, cmd.getOptionValue("name"), extra, cmd.hasOption("zip"), Provenance.version());
        Bundle b = Bundle.open(dir); // what was written verifies
        ctx.out().println("wrote bundle " + dir + " (" + b.models().size() + " model(s), "
                + (b.preprocessingJson() != null ? "preprocessing, " : "no preprocessing, ") + b.labels().size()
                + " labels" + (cmd.hasOption("zip") ? "; and " + dir + ".zip" : "") + ")");
    }

    static Model load(Path file) throws java.io.IOException {
        Model m = Onnx.load(file);
        List<ModelValidator.Problem> problems = ModelValidator.check(m);
        if (!problems.isEmpty()) {
            throw new UserError(file + " is not a valid model: "
                    + new dev.lathe.graph.validate.ModelValidationException(problems).getMessage());
        }
        return m;
    }

    static String stem(Path f) {
        String n = f.getFileName().toString();
        return n.endsWith(".onnx") ? n.substring(0, n.length() - 5) : n;
    }
}
