package dev.lathe.cli.convert;

import dev.lathe.cli.CliContext;
import dev.lathe.cli.Command;
import dev.lathe.cli.UserError;
import dev.lathe.converter.ckpt.Checkpoint;
import dev.lathe.converter.ckpt.CheckpointInventory;
import dev.lathe.graph.ir.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe bench ckpt FILE}: times reading a checkpoint into packed tensors, each iteration touching every
 * tensor byte (so memory-mapped pages are really read, as torch.load reads them), and reports the peak Java heap.
 * scripts/bench_ckpt.sh runs it beside {@code torch.load} on the same file.
 */
public final class CkptBenchCommand implements Command {
    @Override
    public String name() {
        return "bench ckpt";
    }

    @Override
    public String summary() {
        return "time reading a checkpoint into tensors (every byte touched) and report peak heap";
    }

    @Override
    public String usage() {
        return "FILE [--iterations N]";
    }

    @Override
    public Options options() {
        return new Options().addOption(Option.builder().longOpt("iterations").hasArg().argName("N")
                .desc("timed iterations after 3 warm-up reads (default 10)").build());
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        if (cmd.getArgList().size() != 1) {
            throw new UserError("expected one checkpoint file");
        }
        Path file = Path.of(cmd.getArgList().get(0));
        if (!Files.isRegularFile(file)) {
            throw new UserError("no such checkpoint file: " + file);
        }
        int iterations;
        try {
            iterations = Integer.parseInt(cmd.getOptionValue("iterations", "10"));
        } catch (NumberFormatException e) {
            throw new UserError("--iterations takes a positive integer");
        }
        if (iterations < 1) {
            throw new UserError("--iterations takes a positive integer");
        }
        for (int i = 0; i < 3; i++) {
            readAll(file);
        }
        System.gc();
        long baseline = heapUsed();
        resetPeaks();
        double[] ms = new double[iterations];
        long checksum = 0;
        int tensors = 0;
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            long[] r = readAll(file);
            ms[i] = (System.nanoTime() - t0) / 1e6;
            checksum = r[0];
            tensors = (int) r[1];
        }
        long peak = peakHeap();
        Arrays.sort(ms);
        ctx.out().printf("file %s, %,d bytes, %d tensors, checksum %016x%n", file, Files.size(file), tensors, checksum);
        ctx.out().printf("lathe read: median %.2f ms, min %.2f ms over %d iterations%n", ms[ms.length / 2], ms[0],
                iterations);
        ctx.out().printf("peak heap %,d bytes (pools' peak sum during timed reads), %,d above the idle heap%n", peak,
                Math.max(0, peak - baseline));
        return 0;
    }

    /** Reads the file and xors every tensor's bytes; returns {checksum, tensor count}. */
    private static long[] readAll(Path file) throws Exception {
        Checkpoint ckpt = Checkpoint.read(file);
        long x = 0;
        int n = 0;
        for (CheckpointInventory.TensorEntry e : CheckpointInventory.of(ckpt).tensors()) {
            Tensor t = e.tensor().toTensor();
            ByteBuffer b = t.data().order(ByteOrder.LITTLE_ENDIAN);
            while (b.remaining() >= 8) {
                x ^= b.getLong();
            }
            while (b.hasRemaining()) {
                x ^= b.get();
            }
            n++;
        }
        return new long[] {x, n};
    }

    private static long heapUsed() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                sum += p.getUsage().getUsed();
            }
        }
        return sum;
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                p.resetPeakUsage();
            }
        }
    }

    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
