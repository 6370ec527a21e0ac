package dev.lathe.cli.dynamic;

import dev.lathe.cli.CliContext;
import dev.lathe.cli.Command;
import dev.lathe.cli.ExitCode;
import dev.lathe.cli.OutputPaths;
import dev.lathe.cli.Provenance;
import dev.lathe.cli.UserError;
import dev.lathe.converter.deploy.Bundle;
import dev.lathe.converter.deploy.PackageException;
import dev.lathe.converter.meta.ModelMetadata;
import dev.lathe.runtime.dynamic.AnchorCascade;
import dev.lathe.runtime.dynamic.CascadeSettings;
import dev.lathe.serve.CascadeBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe dynamic package}: the AnchorNet cascade (three models, thresholds, selection settings, MACs per exit
 * stage) as one verified bundle, which {@code lathe serve}, {@code lathe infer} and {@code lathe bench infer} run as
 * one model. The cascade is opened first, so a bundle that would not run is never written. Preprocessing comes from
 * AnchorNet's metadata (the cascade takes its 224x224 crop), labels from the resized net's (the classes it predicts),
 * else AnchorNet's. A patch net identical to the resized net is stored once.
 */
public final class DynamicPackageCommand implements Command {
    @Override
    public String name() {
        return "dynamic package";
    }

    @Override
    public String summary() {
        return "pack the early-exit cascade (three models + thresholds) as one bundle for serve/infer";
    }

    @Override
    public String usage() {
        return "--anchornet A.onnx --resized R.onnx --patch P.onnx --thresholds T0,T1,... -o DIR [--iou ...]"
                + " [--no-quirk] [--name N] [--zip]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        CascadeFlags.addModels(o);
        o.addOption(CascadeFlags.thresholdsOption());
        o.addOption(Option.builder("o").longOpt("output").hasArg().argName("DIR").desc("the bundle folder to write")
                .build());
        o.addOption(Option.builder().longOpt("name").hasArg().argName("N").desc("the bundle's (and served model's)"
                + " name (default anchornet_cascade)").build());
        o.addOption(Option.builder().longOpt("zip").desc("also write DIR.zip").build());
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        CascadeSettings settings = CascadeFlags.requiredSettings(cmd);
        if (!cmd.hasOption("output")) {
            throw new UserError("no output; pass -o DIR");
        }
        Path out = Path.of(cmd.getOptionValue("output"));
        OutputPaths.folder(out, false);
        if (Files.exists(out)) {
            throw new UserError("cannot write bundle " + out + ": it exists; remove it or choose another -o");
        }
        CascadeFlags.Models models = CascadeFlags.Models.load(cmd);
        Map<String, Path> files = Map.of("anchornet", models.anchornetFile(), "resized", models.resizedFile(),
                "patch", models.patchFile());
        double[] gmacs = new double[settings.stages()];
        try (AnchorCascade cascade = CascadeFlags.open(cmd, settings, models)) {
            for (int j = 0; j < gmacs.length; j++) {
                gmacs[j] = cascade.stageMacs(j) / 1e9;
            }
        }
        Map<String, String> names = new LinkedHashMap<>();
        List<Bundle.Entry> entries = new ArrayList<>();
        for (String role : CascadeBundle.ROLES) {
            Path f = files.get(role);
            boolean sameAsResized = role.equals("patch")
                    && ModelMetadata.sha256(f).equals(ModelMetadata.sha256(files.get("resized")));
            names.put(role, sameAsResized ? "resized" : role);
            if (!sameAsResized) {
                entries.add(new Bundle.Entry(role, f));
            }
        }
        var anchornet = models.anchornet();
        List<String> labels = ModelMetadata.labels(models.resized(), files.get("resized"));
        if (labels.isEmpty()) {
            labels = ModelMetadata.labels(anchornet, files.get("anchornet"));
        }
        String pre = anchornet.metadataProps().get(ModelMetadata.PREPROCESSING);
        String name = cmd.getOptionValue("name", "anchornet_cascade");
        try {
            Bundle.write(entries, out, name, pre, labels, CascadeBundle.extra(names, settings, gmacs),
                    cmd.hasOption("zip"), Provenance.version());
            CascadeBundle.of(Bundle.open(out)); // what was written reads back as a cascade
        } catch (PackageException e) {
            throw new UserError(e.getMessage(), e);
        }
        ctx.out().printf("wrote cascade bundle %s (%d stages, thresholds %s; GMACs per exit stage %s; %d model files,"
                + " %s, %d labels%s)%n", out, settings.stages(), DynamicFlags.list(settings.exitThresholds()),
                DynamicFlags.list(round(gmacs)), entries.size(), pre != null ? "preprocessing from AnchorNet"
                        : "no preprocessing (raw images cannot be fed; set it on " + files.get("anchornet")
                        + " with lathe meta set)", labels.size(), cmd.hasOption("zip") ? "; and " + out + ".zip" : "");
        return ExitCode.OK;
    }

    private static double[] round(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = Math.round(v[i] * 1e4) / 1e4;
        }
        return r;
    }
}
