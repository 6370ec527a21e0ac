package dev.lathe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.runtime.data.AugmentedDataset;
import dev.lathe.runtime.data.BatchLoader;
import dev.lathe.runtime.data.DataSpec;
import dev.lathe.runtime.data.Image;
import dev.lathe.runtime.data.ImageSet;
import dev.lathe.runtime.data.Normalize;
import dev.lathe.runtime.data.TrainAugmentation;
import dev.lathe.runtime.data.Transform;
import dev.lathe.runtime.data.Transforms;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe bench loader}: images per second of the training loader alone (crop, flip, RandAugment/AutoAugment or
 * jitter, normalise, random erasing, batching) with {@code lathe train}'s augmentation flags, to compare with
 * {@code lathe bench train}'s step rate. Without {@code --data} the images are generated in memory at ImageNet's
 * typical 500x375, so decoding is not measured.
 */
public final class BenchLoaderCommand implements Command {
    @Override
    public String name() {
        return "bench loader";
    }

    @Override
    public String summary() {
        return "measure training data loader throughput (augment + normalise + batch, images/s)";
    }

    @Override
    public String usage() {
        return "[--data imagefolder:DIR,res=R|...] [--resolution R] [--batch B] [--workers W] [--batches N]"
                + " [--warmup N] [--aa SPEC] [--reprob P ...] (lathe train's augmentation flags) [--json]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("data").hasArg().argName("SPEC").desc("an image dataset (default: 64"
                + " generated 500x375 images in memory, no decoding)").build());
        o.addOption(Option.builder().longOpt("resolution").hasArg().argName("R").desc("crop size without --data"
                + " (default 224)").build());
        o.addOption(Option.builder().longOpt("batch").hasArg().argName("B").desc("batch size (default 16)").build());
        o.addOption(Option.builder().longOpt("workers").hasArg().argName("W").desc("loader threads (default 2, the"
                + " trainer's)").build());
        o.addOption(Option.builder().longOpt("batches").hasArg().argName("N").desc("measured batches (default 8)")
                .build());
        o.addOption(Option.builder().longOpt("warmup").hasArg().argName("N").desc("warm-up batches (default 2)")
                .build());
        o.addOption(Option.builder().longOpt("json").desc("print the result as JSON").build());
        AugmentFlags.add(o);
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        TrainAugmentation aug = AugmentFlags.augmentation(cmd);
        int batch = Flags.positiveInt(cmd, "batch", Flags.MAX_BATCH, 16);
        int workers = Flags.positiveInt(cmd, "workers", Flags.MAX_THREADS, 2);
        int batches = Flags.positiveInt(cmd, "batches", Flags.MAX_COUNT, 8);
        int warmup = Flags.intIn(cmd, "warmup", 0, Flags.MAX_COUNT, 2);
        AugmentedDataset data;
        if (cmd.hasOption("data")) {
            try {
                data = DataSpec.parse(cmd.getOptionValue("data")).train(aug);
            } catch (IllegalArgumentException e) {
                throw new UserError("--data: " + e.getMessage());
            }
        } else {
            int r = Flags.positiveInt(cmd, "resolution", Flags.MAX_RESOLUTION, 224);
            List<Transform> steps = new ArrayList<>();
            steps.add(Transforms.randomResizedCrop(r, r, 0.08, 1.0, 3.0 / 4.0, 4.0 / 3.0, aug.interpolation()));
            steps.add(Transforms.horizontalFlip(0.5));
            steps.addAll(aug.aaOrColourJitter(Normalize.IMAGENET));
            data = new AugmentedDataset(generated(64), Transforms.compose(steps), Normalize.IMAGENET, aug.erasing(), r,
                    r, 0);
        }
        if (data.size() < batch) {
            throw new UserError("--batch " + batch + " is larger than the " + data.size() + " images");
        }
        long start = 0;
        int images = 0;
        int done = 0;
        try (BatchLoader loader = new BatchLoader(data, batch, workers, 2, 0, true, true)) {
            for (int epoch = 0; done < warmup + batches; epoch++) {
                Iterator<BatchLoader.Batch> it = loader.epoch(epoch);
                while (it.hasNext() && done < warmup + batches) {
                    BatchLoader.Batch b = it.next();
                    if (done == warmup) {
                        start = System.nanoTime();
                    }
                    if (done >= warmup) {
                        images += b.size();
                    }
                    done++;
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = images / seconds;
        String spec = data.imageShape()[1] + "x" + data.imageShape()[2];
        if (cmd.hasOption("json")) {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("images_per_second", rate).put("images", images).put("seconds", seconds).put("batch", batch)
                    .put("workers", workers).put("size", spec).put("augmentation", aug.toString());
            ctx.out().println(o.toPrettyString());
        } else {
            ctx.out().printf(Locale.ROOT, "loader: %.2f images/s (%d images of %s in %.2f s, batch %d, %d workers)%n"
                    + "  augmentation: %s%n", rate, images, spec, seconds, batch, workers, aug);
        }
        return 0;
    }

    /** Smooth colour fields with noise, 500x375 (ImageNet's common size), labels cycling over 10 classes. */
    static ImageSet generated(int n) {
        List<Image> ims = new ArrayList<>();
        Random r = new Random(1);
        for (int i = 0; i < n; i++) {
            int w = 500;
            int h = 375;
            byte[] px = new byte[3 * w * h];
            double fx = 0.01 + 0.05 * r.nextDouble();
            double fy = 0.01 + 0.05 * r.nextDouble();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int o = 3 * (y * w + x);
                    px[o] = (byte) (128 + 100 * Math.sin(fx * x + i) + r.nextInt(20));
                    px[o + 1] = (byte) (128 + 100 * Math.cos(fy * y) + r.nextInt(20));
                    px[o + 2] = (byte) ((x + y + 7 * i) & 0xff);
                }
            }
            ims.add(new Image(w, h, px));
        }
        return new ImageSet() {
            public int size() {
                return n;
            }

            public int numClasses() {
                return 10;
            }

            public int label(int index) {
                return index % 10;
            }

            public Image image(int index) {
                return ims.get(index);
            }

            public String describe(int index) {
                return "generated image " + index;
            }
        };
    }
}
