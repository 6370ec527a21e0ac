package dev.lathe.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.calibration.data.DatasetSamples;
import dev.lathe.calibration.method.CalibrationMethod;
import dev.lathe.calibration.quant.QdqPlan;
import dev.lathe.calibration.quant.QuantOptions;
import dev.lathe.calibration.quant.QuantTarget;
import dev.lathe.calibration.quant.Quantizer;
import dev.lathe.calibration.stats.Calibration;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Runtimes;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.data.SyntheticDataset;
import dev.lathe.runtime.io.Npy;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * INT8 on models nobody here wrote: every small torch.onnx export of {@code fixtures/torchvision} (random weights,
 * BatchNorms folded by the exporter, constants shared between nodes, opsets 13 and 17), calibrated on synthetic
 * images, quantized for both targets, run by ONNX Runtime on the fixture's own input and compared with the FP32
 * model ONNX Runtime runs untransformed. A broken plan (a wrong per-channel axis, a scale on the wrong edge, a shared
 * weight quantized twice) shows as an output SQNR near 0 dB or a model ORT refuses; quantization noise of correct
 * plans stays far above the bound.
 */
class QuantizeTorchvisionTest {
    static final SessionConfig ONE_THREAD = SessionConfig.defaults().withThreads(1, 1);
    /**
     * Output SQNR a correct INT8 plan keeps on these nets (measured 33.7 to 42.6 dB over the 8 exports and both
     * targets); a broken one lands near 0 dB.
     */
    static final double MIN_SQNR_DB = 25;

    @TempDir
    Path tmp;

    static java.util.stream.Stream<String> models() {
        return TorchvisionFixtures.smallModels().stream();
    }

    @ParameterizedTest
    @MethodSource("models")
    void bothTargetsKeepTheFp32Outputs(String key) throws Exception {
        InferenceRuntime ort = Runtimes.get("ort-cpu");
        Model source = Onnx.load(TorchvisionFixtures.modelFile(key, tmp));
        String stem = key.replaceAll("_op1[37]$", "");
        HostTensor input = Npy.read(TorchvisionFixtures.dir().resolve(stem + "_input.npy"));
        float[] reference = run(ort, source, input);
        Model prepared = QdqPlan.prepare(source);
        long side = input.shape()[2];
        DatasetSamples data = new DatasetSamples(new SyntheticDataset(10, 3, (int) side, 4, 1, 7, 0), 32, 8, 0);
        Calibration.Result stats = Calibration.collect(ort, ONE_THREAD, prepared, QdqPlan.calibrationTensors(
                prepared), data);
        for (QuantTarget target : QuantTarget.values()) {
            Model q = Quantizer.quantize(ort, ONE_THREAD, prepared, Quantizer.ranges(stats.stats(),
                    CalibrationMethod.parse("percentile"), 99.999, target == QuantTarget.TENSORRT),
                    new Quantizer.Request(QuantOptions.of(target), Double.NaN, false), null, null).model();
            assertTrue(q.graph().nodes().stream().anyMatch(n -> n.opType().equals("QuantizeLinear")), key);
            Path file = tmp.resolve(key + "." + target.label() + ".onnx");
            Onnx.save(q, file); // what a user gets reloads and runs
            float[] out = run(ort, Onnx.load(file), input);
            assertEquals(reference.length, out.length);
            double sqnr = sqnrDb(reference, out);
            System.out.printf("%s %s: output SQNR %.1f dB%n", key, target.label(), sqnr);
            assertTrue(sqnr > MIN_SQNR_DB, key + " " + target.label() + ": output SQNR " + sqnr + " dB");
        }
    }

    static float[] run(InferenceRuntime ort, Model m, HostTensor input) {
        try (Session s = ort.open(ModelSource.of(m), ONE_THREAD);
                Outputs o = s.run(Map.of(s.inputs().get(0).name(), input))) {
            return o.get(s.outputs().get(0).name()).toFloats();
        }
    }

    static double sqnrDb(float[] ref, float[] test) {
        double signal = 0;
        double noise = 0;
        for (int i = 0; i < ref.length; i++) {
            signal += (double) ref[i] * ref[i];
            noise += (double) (ref[i] - test[i]) * (ref[i] - test[i]);
        }
        return 10 * Math.log10(signal / Math.max(noise, 1e-30));
    }
}
