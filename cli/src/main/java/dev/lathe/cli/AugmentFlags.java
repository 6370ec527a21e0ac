package dev.lathe.cli;

import dev.lathe.runtime.data.AugmentSpec;
import dev.lathe.runtime.data.Interpolation;
import dev.lathe.runtime.data.Mixup;
import dev.lathe.runtime.data.RandomErasing;
import dev.lathe.runtime.data.TrainAugmentation;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * timm's augmentation and regularisation flags of {@code lathe train} (timm's names and defaults where Lathe had
 * none): RandAugment, AutoAugment or AugMix, colour jitter, training interpolation and random erasing on the images;
 * mixup/cutmix on batches; drop path in the step.
 */
final class AugmentFlags {
    /** Flags that act on decoded images, so on image datasets only. */
    static final List<String> IMAGE_FLAGS = List.of("aa", "color-jitter", "train-interpolation", "reprob", "remode",
            "recount");
    static final List<String> MIXUP_FLAGS = List.of("mixup", "cutmix", "cutmix-minmax", "mixup-prob",
            "mixup-switch-prob", "mixup-mode");

    private AugmentFlags() {}

    static void add(Options o) {
        o.addOption(Option.builder().longOpt("aa").hasArg().argName("SPEC").desc("timm's RandAugment, e.g."
                + " rand-m9-mstd0.5-inc1 (m magnitude, n layers, p prob, mstd noise, mmax bound, inc1 increasing ops),"
                + " AutoAugment policy v0|v0r|original|originalr, e.g. original-mstd0.5 (mstd noise), or AugMix, e.g."
                + " augmix-m5-w4-d2 (m magnitude, w chains, d ops per chain, mstd noise, a alpha, b1 blended); AugMix"
                + " is the plain augmentation timm runs without --aug-splits (no split BN, no JSD loss)").build());
        o.addOption(Option.builder().longOpt("color-jitter").hasArg().argName("S").desc("brightness, contrast and"
                + " saturation jitter strength (default 0; off under --aa, as timm)").build());
        o.addOption(Option.builder().longOpt("train-interpolation").hasArg().argName("random|bilinear|bicubic")
                .desc("filter of the training crop and --aa's geometric ops (default bilinear; random draws"
                        + " one per image and per op, as timm)").build());
        o.addOption(Option.builder().longOpt("reprob").hasArg().argName("P").desc("random erasing probability"
                + " (default 0)").build());
        o.addOption(Option.builder().longOpt("remode").hasArg().argName("const|rand|pixel").desc("random erasing"
                + " fill (default pixel, timm's train.py default)").build());
        o.addOption(Option.builder().longOpt("recount").hasArg().argName("N").desc("random erasing: up to N boxes"
                + " (default 1)").build());
        o.addOption(Option.builder().longOpt("mixup").hasArg().argName("ALPHA").desc("mixup Beta alpha (default 0 ="
                + " off); with --cutmix the loss becomes KL against the mixed soft targets").build());
        o.addOption(Option.builder().longOpt("cutmix").hasArg().argName("ALPHA").desc("cutmix Beta alpha (default 0"
                + " = off)").build());
        o.addOption(Option.builder().longOpt("cutmix-minmax").hasArg().argName("MIN,MAX").desc("cutmix box sides"
                + " uniform in [MIN, MAX) of the image's, as timm's rand_bbox_minmax (0 < MIN < MAX <= 1); turns"
                + " cutmix on with alpha 1, overriding --cutmix (default off)").build());
        o.addOption(Option.builder().longOpt("mixup-prob").hasArg().argName("P").desc("probability of mixing a"
                + " batch/pair/element (default 1)").build());
        o.addOption(Option.builder().longOpt("mixup-switch-prob").hasArg().argName("P").desc("probability of cutmix"
                + " instead of mixup when both are on (default 0.5)").build());
        o.addOption(Option.builder().longOpt("mixup-mode").hasArg().argName("batch|pair|elem").desc("one lambda per"
                + " batch (default), mirrored pair or element").build());
        o.addOption(Option.builder().longOpt("drop-path").hasArg().argName("RATE").desc("stochastic depth on the"
                + " model's residual branches, linearly from 0 at the first block to RATE at the last (default 0)")
                .build());
    }

    static TrainAugmentation augmentation(CommandLine cmd) {
        Interpolation interp = Interpolation.BILINEAR;
        String ti = cmd.getOptionValue("train-interpolation", "bilinear");
        switch (ti) {
            case "random" -> interp = null;
            case "bilinear" -> interp = Interpolation.BILINEAR;
            case "bicubic" -> interp = Interpolation.BICUBIC;
            default -> throw new UserError("--train-interpolation " + ti + ": expected random, bilinear or bicubic");
        }
        AugmentSpec aa = null;
        if (cmd.hasOption("aa")) {
            try {
                aa = AugmentSpec.parse(cmd.getOptionValue("aa"), "--aa");
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
        }
        double jitter = Flags.doubleIn(cmd, "color-jitter", 0, true, 10, true, 0);
        double reprob = Flags.doubleIn(cmd, "reprob", 0, true, 1, true, 0);
        RandomErasing.Mode mode;
        try {
            mode = RandomErasing.Mode.parse(cmd.getOptionValue("remode", "pixel"), "--remode");
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        int count = Flags.intIn(cmd, "recount", 1, 100, 1);
        return new TrainAugmentation(interp, aa, jitter, reprob, mode, count);
    }

    /**
     * Mixup/cutmix from the flags, or null when both alphas are 0 and there is no --cutmix-minmax (timm's
     * mixup_active); label smoothing goes into its targets.
     */
    static Mixup mixup(CommandLine cmd, int classes, double smoothing) {
        double mix = Flags.doubleIn(cmd, "mixup", 0, true, 100, true, 0);
        double cut = Flags.doubleIn(cmd, "cutmix", 0, true, 100, true, 0);
        double[] minmax = cutmixMinmax(cmd);
        if (mix == 0 && cut == 0 && minmax == null) {
            for (String f : MIXUP_FLAGS) {
                if (cmd.hasOption(f) && !f.equals("mixup") && !f.equals("cutmix")) {
                    throw new UserError("--" + f + " needs --mixup or --cutmix > 0 or --cutmix-minmax");
                }
            }
            return null;
        }
        double prob = Flags.doubleIn(cmd, "mixup-prob", 0, true, 1, true, 1);
        double sw = Flags.doubleIn(cmd, "mixup-switch-prob", 0, true, 1, true, 0.5);
        try {
            return new Mixup(mix, cut, minmax, prob, sw, Mixup.Mode.parse(cmd.getOptionValue("mixup-mode", "batch"),
                    "--mixup-mode"), smoothing, classes);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    /** {@code --cutmix-minmax MIN,MAX}, or null when not given; each in (0, 1], Mixup checks MIN < MAX. */
    private static double[] cutmixMinmax(CommandLine cmd) {
        String v = cmd.getOptionValue("cutmix-minmax");
        if (v == null) {
            return null;
        }
        String[] parts = v.split(",", -1);
        if (parts.length != 2) {
            throw new UserError("--cutmix-minmax " + v + ": expected MIN,MAX, two numbers with 0 < MIN < MAX <= 1");
        }
        return new double[] {Flags.doubleValue("--cutmix-minmax MIN", parts[0], 0, false, 1, false),
            Flags.doubleValue("--cutmix-minmax MAX", parts[1], 0, false, 1, true)};
    }

    static double dropPath(CommandLine cmd) {
        return Flags.doubleIn(cmd, "drop-path", 0, true, 1, false, 0);
    }

    /** What the augmentation and regularisation flags amount to (for --dry-run); checks them as a run would. */
    static void printEffective(CommandLine cmd, java.io.PrintStream out) {
        out.println("augmentation: " + augmentation(cmd) + (cmd.getOptionValue("data", "synthetic")
                .startsWith("synthetic") ? " (image datasets only; synthetic data has no images)" : ""));
        double mix = Flags.doubleIn(cmd, "mixup", 0, true, 100, true, 0);
        double cut = Flags.doubleIn(cmd, "cutmix", 0, true, 100, true, 0);
        out.println(mix == 0 && cut == 0 && !cmd.hasOption("cutmix-minmax") ? "mixup/cutmix: off"
                : "mixup/cutmix: " + mixup(cmd, 2, 0).toString().replace(", smoothing 0.0)", ")")
                        + "; label smoothing goes into the soft targets, loss KL");
        double dp = dropPath(cmd);
        out.println("drop path: " + (dp == 0 ? "off" : dp + " at the last block, linear from 0"));
    }
}
