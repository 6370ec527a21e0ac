package dev.lathe.models.isp;

import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Value;
import java.util.List;

/**
 * The differentiable cost of a gate vector, linear in the kept count of each gated layer: FLOPs(v) = constant +
 * sum_l perChannel_l (sum of v_l), and the ratio FLOPs(v) / full.
 *
 * <p>{@link #authors} is SEEDS section 2.3's {@code Flops_constraint_resnet} as the repository trains with it: per
 * gated block only the first conv of the pair, k (C_in / g) c HW + 3 c HW, over the full cost of both convs of every
 * pair (the printout's count). Its ratio is about half the real one (conv2's cost never shrinks in it), so with
 * every gate on it is already near 0.5. {@link #macs} counts what the cut removes: both convs' multiply-accumulates
 * of each kept inner channel (conv1's output and conv2's input) over the whole model's MACs, the rest constant; the
 * search uses it so that the requested ratio is the cut model's MAC ratio.
 */
public record IspFlops(double constant, double[] perChannel, double full, long[] widths) {

    /** The repository's training-time count for a CIFAR ResNet with {@code blocks} per stage at {@code size}. */
    public static IspFlops authors(int blocks, int size) {
        IspSearch.Layout layout = IspSearch.Layout.resNet(blocks);
        int layers = layout.layers();
        double[] per = new double[layers];
        double full = 0;
        for (int l = 0; l < layers; l++) {
            Geometry g = geometry(blocks, size, l);
            per[l] = 9.0 * g.in * g.hw + 3.0 * g.hw;
            full += 9.0 * g.in * g.c * g.hw + 3.0 * g.c * g.hw; // conv1 at full width
            full += 9.0 * g.c * g.c * g.hw + 3.0 * g.c * g.hw; // conv2
        }
        return new IspFlops(0, per, full, layout.widths());
    }

    /** Both convs' MACs per kept inner channel; the rest of {@code totalMacs} (the whole model's) is constant. */
    public static IspFlops macs(int blocks, int size, double totalMacs) {
        IspSearch.Layout layout = IspSearch.Layout.resNet(blocks);
        int layers = layout.layers();
        double[] per = new double[layers];
        double gated = 0;
        for (int l = 0; l < layers; l++) {
            Geometry g = geometry(blocks, size, l);
            per[l] = 9.0 * g.in * g.hw + 9.0 * g.c * g.hw;
            gated += per[l] * g.c;
        }
        return new IspFlops(totalMacs - gated, per, totalMacs, layout.widths());
    }

    /** {@link #macs(int, int, double)} for ResNets; MobileNetV2: pw (C_in HW_in), dw (9 HW_out), pw (C_out HW_out). */
    public static IspFlops macs(IspGraphs.Spec s, double totalMacs) {
        if (s.arch() == IspGraphs.Arch.RESNET) {
            return macs(s.blocks(), s.size(), totalMacs);
        }
        long[] widths = IspNets.mobileNetV2Hidden();
        double[] per = new double[widths.length];
        double gated = 0;
        long in = 32;
        long side = s.size();
        int k = 0;
        for (int[] row : IspNets.MOBILENET_V2) {
            for (int i = 0; i < row[2]; i++) {
                long out = row[1];
                long outSide = i == 0 && row[3] == 2 ? (side + 1) / 2 : side;
                per[k] = (double) in * side * side + 9.0 * outSide * outSide + (double) out * outSide * outSide;
                gated += per[k] * widths[k];
                in = out;
                side = outSide;
                k++;
            }
        }
        return new IspFlops(totalMacs - gated, per, totalMacs, widths);
    }

    private record Geometry(long in, long c, long hw) {}

    private static Geometry geometry(int blocks, int size, int layer) {
        int stage = layer / blocks;
        int i = layer % blocks;
        long c = 16L << stage;
        long in = i == 0 && stage > 0 ? c / 2 : c;
        long side = size >> stage;
        return new Geometry(in, c, side * side);
    }

    /** FLOPs(v) / full of the gate vector v [G] (a FLOAT scalar). */
    public Value ratio(Ops o, Value gates) {
        List<Value> parts = o.split(gates, 0, widths);
        Value sum = null;
        for (int l = 0; l < parts.size(); l++) {
            Value term = o.mul(o.reduceSum(parts.get(l), false), o.scalar(DataType.FLOAT, perChannel[l] / full));
            sum = sum == null ? term : o.add(sum, term);
        }
        return o.add(sum, o.scalar(DataType.FLOAT, constant / full));
    }

    /** The ratio of a hard decision (keep[l][c]). */
    public double ratio(boolean[][] keep) {
        double f = constant;
        for (int l = 0; l < keep.length; l++) {
            int kept = 0;
            for (boolean k : keep[l]) {
                kept += k ? 1 : 0;
            }
            f += perChannel[l] * kept;
        }
        return f / full;
    }
}
