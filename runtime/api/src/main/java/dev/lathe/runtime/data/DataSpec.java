package dev.lathe.runtime.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A dataset named on the command line, with the reference recipes' standard pipelines (SEEDS.md §5.2, §6):
 * <ul>
 * <li>{@code cifar10:DIR[,lt=IF][,seed=S]}, {@code cifar100:DIR[,lt=IF][,seed=S]}: either official release of
 * CIFAR-10 / CIFAR-100 under DIR (python or binary); train RandomCrop(32, pad 4) + flip, CIFAR mean/std, optionally
 * the long-tailed subset with imbalance factor IF; val is the full test split, unaugmented.</li>
 * <li>{@code imagefolder:DIR[,res=R][,seed=S]}: DIR/train and DIR/val class folders; train RandomResizedCrop(R) +
 * flip, val Resize(R*256/224) + CenterCrop(R), bilinear, ImageNet mean/std (R = 224 by default).</li>
 * <li>{@code imagenet-lt:LIST,ROOT[,val=VALLIST][,classes=K][,res=R][,seed=S]}: ImageNet-LT list files, same
 * pipelines; K = 1000 by default.</li>
 * </ul>
 */
public final class DataSpec {
    private final String kind;
    private final Path path;
    private final Path root;
    private final Map<String, String> options;

    private DataSpec(String kind, Path path, Path root, Map<String, String> options) {
        this.kind = kind;
        this.path = path;
        this.root = root;
        this.options = options;
    }

    /** Parses a spec; an unknown kind or option is an IllegalArgumentException naming it. */
    public static DataSpec parse(String spec) {
        int colon = spec.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("data spec '" + spec + "': expected cifar10:DIR, cifar100:DIR, "
                    + "imagefolder:DIR or imagenet-lt:LIST,ROOT");
        }
        String kind = spec.substring(0, colon);
        String[] parts = spec.substring(colon + 1).split(",");
        int positional = kind.equals("imagenet-lt") ? 2 : 1;
        if (!kind.equals("cifar10") && !kind.equals("cifar100") && !kind.equals("imagefolder")
                && !kind.equals("imagenet-lt")) {
            throw new IllegalArgumentException("data spec '" + spec + "': unknown kind '" + kind
                    + "' (cifar10, cifar100, imagefolder, imagenet-lt)");
        }
        if (parts.length < positional || parts[0].isEmpty() || parts[positional - 1].contains("=")) {
            throw new IllegalArgumentException("data spec '" + spec + "': " + kind + " needs "
                    + (positional == 2 ? "LIST,ROOT" : "DIR"));
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = positional; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("data spec '" + spec + "': '" + parts[i] + "' is not key=value");
            }
            options.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
        }
        java.util.Set<String> allowed = cifar(kind) != null ? java.util.Set.of("lt", "seed")
                : kind.equals("imagefolder") ? java.util.Set.of("res", "seed")
                : java.util.Set.of("val", "classes", "res", "seed");
        for (String k : options.keySet()) {
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException("data spec '" + spec + "': unknown option '" + k + "' for " + kind
                        + " (allowed: " + allowed + ")");
            }
        }
        return new DataSpec(kind, Path.of(parts[0]), positional == 2 ? Path.of(parts[1]) : null, options);
    }

    public String kind() {
        return kind;
    }

    /** The CIFAR release a kind names, or null. */
    private static Cifar.Release cifar(String kind) {
        return switch (kind) {
            case "cifar10" -> Cifar.Release.CIFAR10;
            case "cifar100" -> Cifar.Release.CIFAR100;
            default -> null;
        };
    }

    private double number(String key, double fallback) {
        String v = options.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("data spec option " + key + "=" + v + " is not a number");
        }
    }

    private long seed() {
        return (long) number("seed", 0);
    }

    private int res() {
        return (int) number("res", 224);
    }

    /** The training set with its standard augmentation. */
    public AugmentedDataset train() throws IOException {
        return train(TrainAugmentation.NONE);
    }

    /**
     * The training set: the standard crop and flip (CIFAR's RandomCrop(32, pad 4), ImageNet-style
     * RandomResizedCrop(R) with the augmentation's interpolation), then RandAugment/AutoAugment or colour jitter,
     * normalisation and random erasing as timm's training pipeline orders them.
     */
    public AugmentedDataset train(TrainAugmentation aug) throws IOException {
        List<Transform> steps = new ArrayList<>();
        ImageSet images;
        Normalize normalize;
        int r;
        if (cifar(kind) != null) {
            Cifar c = Cifar.read(cifar(kind), path, true);
            double lt = number("lt", 1);
            images = lt == 1 ? c : c.longTailed(lt);
            normalize = Normalize.CIFAR;
            r = 32;
            steps.add(Transforms.randomCrop(32, 32, 4));
        } else {
            images = kind.equals("imagefolder") ? FileImageSet.folders(path.resolve("train"))
                    : FileImageSet.list(path, root, (int) number("classes", 1000));
            normalize = Normalize.IMAGENET;
            r = res();
            steps.add(Transforms.randomResizedCrop(r, r, 0.08, 1.0, 3.0 / 4.0, 4.0 / 3.0, aug.interpolation()));
        }
        steps.add(Transforms.horizontalFlip(0.5));
        steps.addAll(aug.aaOrColourJitter(normalize));
        return new AugmentedDataset(images, Transforms.compose(steps), normalize, aug.erasing(), r, r, seed());
    }

    /** The evaluation set with the deterministic eval pipeline. */
    public AugmentedDataset val() throws IOException {
        if (cifar(kind) != null) {
            Preprocessing p = evalPreprocessing();
            return new AugmentedDataset(Cifar.read(cifar(kind), path, false), p.transform(), p.normalize(), 32, 32, 0);
        }
        ImageSet images;
        if (kind.equals("imagefolder")) {
            images = FileImageSet.folders(path.resolve("val"), FileImageSet.folders(path.resolve("train")).classNames());
        } else {
            String val = options.get("val");
            if (val == null) {
                throw new IllegalArgumentException("imagenet-lt: give the evaluation list as val=LIST");
            }
            images = FileImageSet.list(Path.of(val), root, (int) number("classes", 1000));
        }
        Preprocessing p = evalPreprocessing();
        return new AugmentedDataset(images, p.transform(), p.normalize(), p.cropHeight(), p.cropWidth(), 0);
    }

    /**
     * The evaluation split's preprocessing: what a model trained on this data expects at inference, and what
     * {@link #val()} applies (one definition; commands that write a trained model record it in its metadata).
     */
    public Preprocessing evalPreprocessing() {
        return cifar(kind) != null ? Preprocessing.cifar(32) : Preprocessing.imagenet(res());
    }
}
