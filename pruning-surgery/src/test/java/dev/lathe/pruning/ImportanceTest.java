package dev.lathe.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.pruning.graph.ChannelAnalyzer;
import dev.lathe.pruning.graph.ChannelGraph;
import dev.lathe.pruning.graph.ChannelGroup;
import dev.lathe.pruning.importance.BnScaleImportance;
import dev.lathe.pruning.importance.CicImportance;
import dev.lathe.pruning.importance.GradientSet;
import dev.lathe.pruning.importance.MagnitudeImportance;
import dev.lathe.pruning.importance.TaylorImportance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The criteria against scores computed by hand from the weights (and gradients) of a two-conv net. */
class ImportanceTest {
    /** conv1 (3->4, bias) -> relu -> conv2 (4->2): the group of conv1's outputs has 3 slices. */
    static Model twoConvs() {
        GraphBuilder b = new GraphBuilder("two", 17);
        Nn nn = new Nn(b, 9);
        Value x = b.input("input", DataType.FLOAT, 1, 3, 5, 5);
        x = b.ops().relu(nn.conv2d("conv1", x, 4, ConvAttrs.same(3), true));
        b.output(nn.conv2d("conv2", x, 2, ConvAttrs.same(3), false), "y");
        return b.build();
    }

    private static ChannelGroup conv1Group(ChannelGraph cg) {
        return cg.groups().stream().filter(g -> g.anchor().origin().name().startsWith("conv1")).findFirst()
                .orElseThrow();
    }

    /** Σ over the slice of f(w, g): rows of conv1 (index c on axis 0) or columns of conv2 (axis 1). */
    private static double[] perChannel(float[] w, float[] g, long[] dims, int axis, int p) {
        double[] out = new double[4];
        int inner = (int) (dims[2] * dims[3]);
        for (int o = 0; o < dims[0]; o++) {
            for (int i = 0; i < dims[1]; i++) {
                for (int k = 0; k < inner; k++) {
                    int idx = (int) ((o * dims[1] + i) * inner + k);
                    double v = g == null ? Math.pow(Math.abs(w[idx]), p) : Math.abs(w[idx] * g[idx]);
                    out[axis == 0 ? o : i] += v;
                }
            }
        }
        return out;
    }

    private static double[] meanOfLayersNormalized(double[] a, double[] b) {
        double[] s = new double[4];
        double mean = 0;
        for (int c = 0; c < 4; c++) {
            s[c] = (a[c] + b[c]) / 2;
            mean += s[c] / 4;
        }
        for (int c = 0; c < 4; c++) {
            s[c] /= mean;
        }
        return s;
    }

    @Test
    void l2IsTheMeanOverLayersOfSquaredSums() {
        Model m = twoConvs();
        ChannelGroup g = conv1Group(new ChannelAnalyzer(Set.of()).analyze(m));
        Tensor w1 = m.graph().initializer("conv1.weight").constValue();
        Tensor w2 = m.graph().initializer("conv2.weight").constValue();
        double[] expect = meanOfLayersNormalized(perChannel(w1.toFloats(), null, w1.dims(), 0, 2),
                perChannel(w2.toFloats(), null, w2.dims(), 1, 2));
        assertArrayEquals(expect, new MagnitudeImportance(2).score(g), 1e-6); // squares summed in float
        assertNull(new BnScaleImportance().score(g), "no BatchNorm in the group");
    }

    private static Map<String, Tensor> randomGrads(Model m, Random r) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String n : List.of("conv1.weight", "conv1.bias", "conv2.weight")) {
            Tensor w = m.graph().initializer(n).constValue();
            float[] f = new float[(int) w.numel()];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) r.nextGaussian();
            }
            out.put(n, Tensor.ofFloats(w.dims(), f));
        }
        return out;
    }

    private static double[] taylorByHand(Model m, Map<String, Tensor> grads) {
        Tensor w1 = m.graph().initializer("conv1.weight").constValue();
        Tensor w2 = m.graph().initializer("conv2.weight").constValue();
        return meanOfLayersNormalized(
                perChannel(w1.toFloats(), grads.get("conv1.weight").toFloats(), w1.dims(), 0, 1),
                perChannel(w2.toFloats(), grads.get("conv2.weight").toFloats(), w2.dims(), 1, 1));
    }

    @Test
    void cicIsClassMeanMinusAlphaTimesUnbiasedStd() throws Exception {
        Model m = twoConvs();
        ChannelGroup g = conv1Group(new ChannelAnalyzer(Set.of()).analyze(m));
        Random r = new Random(5);
        int[] classes = {0, 0, 1, 2, 2, 2};
        List<GradientSet.Batch> batches = new ArrayList<>();
        for (int c : classes) {
            batches.add(new GradientSet.Batch(c, randomGrads(m, r)));
        }
        GradientSet set = new GradientSet(batches);
        Path file = Files.createTempFile("grads", ".onnx");
        set.save(file);
        GradientSet loaded = GradientSet.load(file);
        Files.delete(file);
        assertEquals(6, loaded.batches().size());

        double[][] perClass = new double[3][4];
        int[] n = new int[3];
        for (int i = 0; i < classes.length; i++) {
            double[] t = taylorByHand(m, batches.get(i).gradients());
            assertArrayEquals(t, new TaylorImportance(batches.get(i).gradients()).score(g), 1e-9);
            for (int c = 0; c < 4; c++) {
                perClass[classes[i]][c] += t[c];
            }
            n[classes[i]]++;
        }
        double alpha = 0.7;
        double[] cic = new double[4];
        double[] aware = new double[4];
        for (int c = 0; c < 4; c++) {
            double mean = 0;
            for (int k = 0; k < 3; k++) {
                perClass[k][c] /= n[k];
                mean += perClass[k][c] / 3;
            }
            double ss = 0;
            for (int k = 0; k < 3; k++) {
                ss += (perClass[k][c] - mean) * (perClass[k][c] - mean);
            }
            aware[c] = mean;
            cic[c] = mean - alpha * Math.sqrt(ss / 2);
        }
        assertArrayEquals(cic, new CicImportance(loaded, alpha).score(g), 1e-6);
        assertArrayEquals(aware, new CicImportance(loaded, 0).score(g), 1e-6);
    }
}
