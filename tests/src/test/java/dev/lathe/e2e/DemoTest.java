package dev.lathe.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.cli.Main;
import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.graph.testkit.OrtParity;
import dev.lathe.graph.validate.ModelValidator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lathe demo} runs every stage end to end, and what it prints is true: the written models are valid and run,
 * the counts it reports are the counts of the files, the pruned model keeps at most the 60% of the MACs it aims at,
 * and (the full demo) training and fine-tuning reach the accuracy floors below.
 */
class DemoTest {
    /** Floors well under the 96% / 97% measured (74% / 67.5% with other float rounding, see DECISIONS). */
    private static final double TRAINED_FLOOR = 0.5;
    private static final double FINETUNED_FLOOR = 0.5;

    @TempDir
    Path dir;

    private String demo(String... extra) {
        List<String> args = new ArrayList<>(List.of("demo", "--out", dir.toString()));
        args.addAll(List.of(extra));
        String text = lathe(args.toArray(new String[0]));
        assertTrue(text.contains("demo finished"), text);
        return text;
    }

    private static String lathe(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, String.join(" ", args) + "\n" + text + err.toString(StandardCharsets.UTF_8));
        return text;
    }

    @Test
    void quickDemoRunsEveryStage() throws Exception {
        String text = demo("--quick");
        assertTrue(Files.size(dir.resolve("cifar_resnet56.onnx")) > 1_000_000);
        assertTrue(text.contains("CIC"), text);
        // the deploy stage: a verified bundle, a Triton model and lathe infer's answer on the committed photo
        dev.lathe.converter.deploy.Bundle.open(dir.resolve("bundle"));
        dev.lathe.converter.deploy.Bundle.open(dir.resolve("bundle.zip"));
        assertTrue(Files.isRegularFile(dir.resolve("triton/cifar_resnet56_demo/1/model.onnx")));
        // the deployed model is the INT8 one, its quantization metadata carried next to the deployment keys
        java.util.Map<String, String> deployed = Onnx.load(dir.resolve("triton/cifar_resnet56_demo/1/model.onnx"))
                .metadataProps();
        assertEquals("ort-cpu", deployed.get("lathe.quantization.target"), deployed.toString());
        assertTrue(deployed.containsKey("lathe.preprocessing") && deployed.containsKey("lathe.labels"));
        dev.lathe.converter.deploy.TritonConfig.parse(Files.readString(dir.resolve(
                "triton/cifar_resnet56_demo/config.pbtxt")), "demo config.pbtxt");
        assertTrue(text.matches("(?s).*chelsea\\.jpg\\R  1\\. synthetic_\\d .*"), text);
        assertTrue(Files.size(dir.resolve("cifar_resnet56_pruned_finetuned.onnx"))
                < Files.size(dir.resolve("cifar_resnet56_trained.onnx")), "pruning must shrink the model");
        checkArtefactsAndCounts(text);
    }

    @Test
    void fullDemoReachesItsAccuracyFloors() throws Exception {
        String text = demo();
        checkArtefactsAndCounts(text);
        List<Double> top1 = new ArrayList<>();
        Matcher m = Pattern.compile("val top-1 ([0-9.]+)%").matcher(text);
        while (m.find()) {
            top1.add(Double.parseDouble(m.group(1)) / 100);
        }
        assertEquals(3, top1.size(), "one accuracy line per training stage (train, CIC fine-tune, ISP): " + text);
        assertTrue(top1.get(0) >= TRAINED_FLOOR, "trained top-1 " + top1.get(0) + " below " + TRAINED_FLOOR);
        assertTrue(top1.get(1) >= FINETUNED_FLOOR, "fine-tuned top-1 " + top1.get(1) + " below " + FINETUNED_FLOOR);
        assertTrue(top1.get(2) >= FINETUNED_FLOOR, "ISP fine-tuned top-1 " + top1.get(2) + " below "
                + FINETUNED_FLOOR);

        // INT8 and FP16 on the model the demo trained, on 1000 validation images
        checkQuantized(text, "INT8", 99.0, 0.5);
        Path tuned = dir.resolve("cifar_resnet56_pruned_finetuned.onnx");
        String validation = "synthetic:classes=10,size=32,per-class=1,val-per-class=100,imbalance=10,seed=0";
        checkQuantized(lathe("quantize", tuned.toString(), "--data", validation, "--samples", "1000", "--target",
                "tensorrt", "--max-agreement-drop", "1", "-o", dir.resolve("trt.onnx").toString()), "INT8", 99.0, 0.5);
        checkQuantized(lathe("quantize", tuned.toString(), "--data", validation, "--samples", "1000", "--fp16", "-o",
                dir.resolve("fp16.onnx").toString()), "FP16", 99.9, 0.5);
    }

    /** The agreement and accuracy lines a quantization printed meet the issue's floors. */
    private static void checkQuantized(String text, String what, double minAgreement, double maxDrop) {
        Matcher a = Pattern.compile("top-1 ([0-9.]+)% of (\\d+) images \\(FP32 vs " + what + "\\)").matcher(text);
        assertTrue(a.find(), text);
        assertTrue(Double.parseDouble(a.group(1)) >= minAgreement, what + " agreement below " + minAgreement + ": "
                + text);
        assertTrue(Integer.parseInt(a.group(2)) >= 1000, text);
        Matcher acc = Pattern.compile("FP32 ([0-9.]+)% -> " + what + " ([0-9.]+)%").matcher(text);
        assertTrue(acc.find(), text);
        double drop = Double.parseDouble(acc.group(1)) - Double.parseDouble(acc.group(2));
        assertTrue(drop <= maxDrop, what + " loses " + drop + " points: " + text);
    }

    /** Every model written is valid and runs; the printed counts are the files' counts; MACs kept <= 60%. */
    private void checkArtefactsAndCounts(String text) throws Exception {
        for (String f : List.of("cifar_resnet56.onnx", "cifar_resnet56_trained.onnx", "cifar_resnet56_pruned.onnx",
                "cifar_resnet56_pruned_finetuned.onnx", "cifar_resnet56_isp_finetuned.onnx",
                "cifar_resnet56_pruned_int8.onnx")) {
            Model model = Onnx.load(dir.resolve(f));
            ModelValidator.validate(model);
            Tensor x = Tensor.ofFloats(new long[] {2, 3, 32, 32}, OrtParity.gaussian(1, 2, 3, 32, 32));
            Tensor y = OrtParity.run(model, Map.of(model.graph().inputs().get(0).name(), x),
                    OrtParity.Settings.DEPLOYED).values().iterator().next();
            assertArrayEquals(new long[] {2, 10}, y.dims(), f);
            for (float v : y.toFloats()) {
                assertTrue(Float.isFinite(v), f + " gives a non-finite logit");
            }
        }
        ModelCount trained = ModelCounter.count(Onnx.load(dir.resolve("cifar_resnet56_trained.onnx")));
        ModelCount pruned = ModelCounter.count(Onnx.load(dir.resolve("cifar_resnet56_pruned.onnx")));
        Matcher m = Pattern.compile("params ([0-9,]+) -> ([0-9,]+), MACs").matcher(text);
        assertTrue(m.find(), text);
        assertEquals(trained.params(), Long.parseLong(m.group(1).replace(",", "")), "printed params before");
        assertEquals(pruned.params(), Long.parseLong(m.group(2).replace(",", "")), "printed params after");
        assertTrue(pruned.macs() <= 0.6 * trained.macs(), "pruned keeps " + pruned.macs() + " of " + trained.macs()
                + " MACs, the demo aims at 60%");
        // ISP's cut lands within 2 points of its 60% target (its budget is the real MAC count)
        ModelCount isp = ModelCounter.count(Onnx.load(dir.resolve("cifar_resnet56_isp_finetuned.onnx")));
        assertEquals(0.6, isp.macs() / (double) trained.macs(), 0.02, "ISP keeps " + isp.macs() + " of "
                + trained.macs() + " MACs");
        Matcher i = Pattern.compile("MACs [0-9.]+ M -> ([0-9.]+) M; after the same fine-tune").matcher(text);
        assertTrue(i.find(), text);
        assertEquals(isp.macs() / 1e6, Double.parseDouble(i.group(1)), 0.05, "printed ISP MACs");
    }
}
