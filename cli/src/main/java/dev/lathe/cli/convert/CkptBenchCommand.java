package dev.lathe.cli.convert;

import dev.lathe.cli.CliContext;
import dev.lathe.cli.Command;
import dev.lathe.cli.Flags;
import dev.lathe.cli.UserError;
import dev.lathe.converter.ckpt.Checkpoint;
import dev.lathe.converter.ckpt.CheckpointInventory;
import dev.lathe.graph.ir.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe bench ckpt FILE}: times reading a checkpoint into packed tensors, both until the tensors exist (their
 * bytes still in the file mapping) and until every byte has been read once (as torch.load reads them), and reports
 * the peak Java heap.
 * docs/bench/ckpt_read.sh runs it beside {@code torch.load} on the same file.
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
        int iterations = Flags.positiveInt(cmd, "iterations", Flags.MAX_COUNT, 10);
        for (int i = 0; i < 3; i++) {
            touch(open(file));
        }
        System.gc();
        long baseline = heapUsed();
        resetPeaks();
        double[] ready = new double[iterations];
        double[] touched = new double[iterations];
        double[] cpu = new double[iterations];
        long checksum = 0;
        int tensors = 0;
        for (int i = 0; i < iterations; i++) {
            long c0 = processCpuNanos();
            long t0 = System.nanoTime();
            List<Tensor> all = open(file);
            long t1 = System.nanoTime();
            checksum = touch(all);
            long t2 = System.nanoTime();
            cpu[i] = (processCpuNanos() - c0) / 1e6;
            ready[i] = (t1 - t0) / 1e6;
            touched[i] = (t2 - t0) / 1e6;
            tensors = all.size();
        }
        long peak = peakHeap();
        Arrays.sort(ready);
        Arrays.sort(touched);
        Arrays.sort(cpu);
        ctx.out().printf("file %s, %,d bytes, %d tensors, checksum %016x%n", file, Files.size(file), tensors, checksum);
        ctx.out().printf("lathe read to tensors (mmapped, pages not yet read): median %.2f ms, min %.2f ms%n",
                ready[iterations / 2], ready[0]);
        ctx.out().printf("lathe read + every byte read once: median %.2f ms, min %.2f ms over %d iterations%n",
                touched[iterations / 2], touched[0], iterations);
        ctx.out().printf("lathe read + every byte read once, process CPU time: median %.2f ms, min %.2f ms%n",
                cpu[iterations / 2], cpu[0]);
        ctx.out().printf("peak heap %,d bytes (pools' peak sum during timed reads), %,d above the idle heap%n", peak,
                Math.max(0, peak - baseline));
        return 0;
    }

    /** Reads the file into packed tensors (contiguous ones alias the mapping, so no byte is read yet). */
    private static List<Tensor> open(Path file) throws Exception {
        List<Tensor> out = new ArrayList<>();
        for (CheckpointInventory.TensorEntry e : CheckpointInventory.of(Checkpoint.read(file)).tensors()) {
            out.add(e.tensor().toTensor());
        }
        return out;
    }

    /**
     * Copies every tensor byte once into a small scratch buffer, the same work torch.load's read() into tensor
     * memory does; returns a checksum so the copies cannot be skipped.
     */
    private static long touch(List<Tensor> tensors) {
        byte[] scratch = new byte[1 << 16];
        long x = 0;
        for (Tensor t : tensors) {
            ByteBuffer b = t.data();
            while (b.hasRemaining()) {
                int n = Math.min(scratch.length, b.remaining());
                b.get(scratch, 0, n);
                x = x * 31 + scratch[0] + scratch[n - 1];
            }
        }
        return x;
    }

    /** CPU time of the whole JVM (reader, GC and JIT threads), which other processes' load does not inflate. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
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
