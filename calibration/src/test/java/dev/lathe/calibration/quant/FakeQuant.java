package dev.lathe.calibration.quant;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.pass.DeadCodeElimination;
import java.util.ArrayList;

/**
 * The FP32 reference of a Q/DQ model, written from ONNX's definitions and not from the quantizer: each
 * QuantizeLinear→DequantizeLinear pair becomes {@code (clip(round(x / s) + zp, qmin, qmax) - zp) * s} in float ops
 * (ONNX Round is half to even), each DequantizeLinear of a constant the float constant {@code (q - zp) * s}.
 */
final class FakeQuant {
    private FakeQuant() {}

    static Model of(Model quantized) {
        Model m = quantized.copy();
        Graph g = m.graph();
        for (Node dq : new ArrayList<>(g.nodes())) {
            if (!dq.opType().equals("DequantizeLinear")) {
                continue;
            }
            Value in = dq.input(0);
            Tensor scale = dq.input(1).constValue();
            Tensor zp = dq.input(2).constValue();
            Value replacement;
            if (in.isInitializer()) {
                replacement = g.addInitializer(g.uniqueName(in.name() + "_float"), dequantize(in.constValue(), scale,
                        zp, dq.attrInt("axis", 1)));
            } else {
                Node q = in.producer();
                GraphBuilder b = GraphBuilder.editing(m).before(dq);
                Ops o = b.ops();
                double s = scale.toDoubles()[0];
                double z = zp.toLongs()[0];
                double lo = in.dtype() == DataType.UINT8 ? 0 : -128;
                double hi = in.dtype() == DataType.UINT8 ? 255 : 127;
                Value codes = o.add(o.op("Round", o.div(q.input(0), o.scalar(DataType.FLOAT, s))),
                        o.scalar(DataType.FLOAT, z));
                Value clipped = o.op("Clip", codes, o.scalar(DataType.FLOAT, lo), o.scalar(DataType.FLOAT, hi));
                replacement = o.mul(o.sub(clipped, o.scalar(DataType.FLOAT, z)), o.scalar(DataType.FLOAT, s));
            }
            dq.output(0).replaceAllUsesWith(replacement, true);
        }
        new DeadCodeElimination().apply(m);
        return m;
    }

    private static Tensor dequantize(Tensor q, Tensor scale, Tensor zp, long axis) {
        long[] codes = q.toLongs();
        double[] s = scale.toDoubles();
        long[] z = zp.toLongs();
        int inner = 1;
        for (int d = (int) axis + 1; s.length > 1 && d < q.rank(); d++) {
            inner *= (int) q.dim(d);
        }
        float[] out = new float[codes.length];
        for (int i = 0; i < codes.length; i++) {
            int c = s.length == 1 ? 0 : (i / inner) % s.length;
            out[i] = (float) ((codes[i] - z[c]) * (float) s[c]);
        }
        return Tensor.ofFloats(q.dims(), out);
    }

    /**
     * One quantization step of the last quantized layer's input, carried to its output: the input's scale times
     * the largest row sum of |W| of the Gemm/Conv producing the first graph output.
     */
    static double lastStep(Model quantized) {
        Node last = quantized.graph().outputs().get(0).producer();
        double s = last.input(0).producer().input(1).constValue().toDoubles()[0];
        Node wdq = last.input(1).producer();
        float[] w = dequantize(wdq.input(0).constValue(), wdq.input(1).constValue(), wdq.input(2).constValue(),
                wdq.attrInt("axis", 1)).toFloats();
        long rows = wdq.input(0).constValue().dim(0);
        int perRow = (int) (w.length / rows);
        double worst = 0;
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int i = 0; i < perRow; i++) {
                sum += Math.abs(w[r * perRow + i]);
            }
            worst = Math.max(worst, sum);
        }
        return s * worst;
    }
}
