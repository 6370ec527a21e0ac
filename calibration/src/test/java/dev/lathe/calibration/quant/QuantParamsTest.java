package dev.lathe.calibration.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.calibration.method.CalibrationRange;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.testkit.OrtParity;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Lathe's Q/DQ arithmetic (used for weights and biases) against ONNX Runtime's QuantizeLinear/DequantizeLinear. */
class QuantParamsTest {
    /** Ties at every half step (round half to even), both saturation ends, and ordinary values. */
    private static float[] probes(float scale, int zp) {
        float[] v = new float[80];
        for (int i = 0; i < 60; i++) {
            v[i] = (i - 30 + 0.5f) * scale - zp * scale; // exact halves around the zero point
        }
        v[60] = 1e6f;
        v[61] = -1e6f;
        for (int i = 62; i < v.length; i++) {
            v[i] = (float) Math.sin(i * 1.7) * 200 * scale;
        }
        return v;
    }

    private static Model qdq(QuantParams p) {
        GraphBuilder b = new GraphBuilder("qdq", 17);
        Value x = b.input("x", DataType.FLOAT, 80);
        Value s = b.param("s", p.scaleTensor());
        Value z = b.param("z", p.zeroPointTensor());
        Value q = b.ops().op("QuantizeLinear", x, s, z);
        b.output(q, "q");
        b.output(b.ops().op("DequantizeLinear", q, s, z), "dq");
        return b.build();
    }

    @Test
    void quantizeAndDequantizeEqualOrtBitForBit() throws Exception {
        for (QuantParams p : new QuantParams[] {QuantParams.uint8(new CalibrationRange(-1.3, 4.1, false)),
                QuantParams.int8Symmetric(new CalibrationRange(-2.5, 0.7, true)),
                new QuantParams(DataType.INT8, new float[] {0.25f}, new int[] {3}, -1)}) {
            float[] x = probes(p.scale()[0], p.zeroPoint()[0]);
            Map<String, Tensor> out = OrtParity.run(qdq(p), Map.of("x", Tensor.ofFloats(new long[] {80}, x)),
                    OrtParity.Settings.AS_WRITTEN);
            long[] ortQ = out.get("q").toLongs();
            float[] ortDq = out.get("dq").toFloats();
            Tensor ours = p.quantize(Tensor.ofFloats(new long[] {80}, x));
            long[] q = ours.toLongs();
            for (int i = 0; i < x.length; i++) {
                assertEquals(ortQ[i], q[i], p.dtype() + " code of " + x[i]);
                assertEquals(ortDq[i], p.dequantize(q[i], 0), 0f, p.dtype() + " value of code " + q[i]);
            }
            assertEquals(p.qmin(), q[61]);
            assertEquals(p.qmax(), q[60]);
        }
    }

    @Test
    void paramsFollowOrtsFormulas() {
        QuantParams u = QuantParams.uint8(new CalibrationRange(0.5, 2.0, false)); // widened to include 0
        assertEquals(2.0f / 255f, u.scale()[0]);
        assertEquals(0, u.zeroPoint()[0]);
        QuantParams a = QuantParams.uint8(new CalibrationRange(-1, 3, false));
        assertEquals(4f / 255f, a.scale()[0]);
        assertEquals(Math.rint(1 / (4f / 255f)), a.zeroPoint()[0]);
        QuantParams s = QuantParams.int8Symmetric(new CalibrationRange(-0.2, 2.54, false));
        assertEquals(2.54f / 127f, s.scale()[0]);
        assertEquals(1f, QuantParams.uint8(new CalibrationRange(0, 0, false)).scale()[0], "empty range: scale 1");

        Tensor w = Tensor.ofFloats(new long[] {2, 3}, 0.5f, -1.27f, 0.1f, 0f, 0f, 0f);
        QuantParams pc = QuantParams.weights(w, 0);
        assertEquals(1.27f / 127f, pc.scale()[0]);
        assertEquals(1f, pc.scale()[1], "an all-zero channel gets scale 1, not 0");
        long[] codes = pc.quantize(w).toLongs();
        assertEquals(-127, codes[1]);
        for (int i = 0; i < 3; i++) {
            assertTrue(Math.abs(pc.dequantize(codes[i], 0) - w.toFloats()[i]) <= pc.scale()[0] / 2);
        }
        QuantParams bias = QuantParams.bias(a, pc);
        assertEquals(DataType.INT32, bias.dtype());
        assertEquals(a.scale()[0] * pc.scale()[1], bias.scale()[1]);
    }
}
