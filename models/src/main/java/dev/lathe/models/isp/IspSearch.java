package dev.lathe.models.isp;

import dev.lathe.graph.autodiff.Autodiff;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.train.LossTerm;
import dev.lathe.graph.train.LossTerms;
import dev.lathe.graph.train.Objective;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.models.ModelInputs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Predicate;

/**
 * ISP Stage C (SEEDS section 2.3, the CIFAR10 branch's {@code resnet_igp.py}): gates on the prunable channels of the
 * classifier (ResNet: each BasicBlock's inner channels, after conv1-BN-ReLU; MobileNetV2: each block's expanded hidden
 * channels, after the pointwise and the depthwise conv), logits theta from a {@link GateGenerator} (by default one free
 * logit vector per gated layer, {@code Simplified_Gate}: {@code hyper_net.p_list.<l>.weight}; the repository's
 * {@code --hs True} {@code HyperStructure} by option), relaxed as v = sigmoid((theta + g + 3) / 0.4) with
 * Gumbel noise g = -log(-log(U + 1e-20) + 1e-20) from fed uniform draws, and the straight-through hard threshold
 * (v >= 0.5) + v - v.detach(). The search graph runs the gated classifier, its three scales through the frozen
 * selector decoder, and reports the raw RBF parameters; its objective is mse_w MSE(params, stored unpruned params)
 * + R(v) [+ CE].
 *
 * <p>Deterministic decision: the final hard gate vector is (theta + 3 >= 0), the relaxation without noise at its
 * threshold; the authors' evaluation adds noise before thresholding, which makes the decision random.
 */
public final class IspSearch {
    public static final double TEMPERATURE = 0.4;
    public static final double OFFSET = 3.0;
    /** The gate generator's state_dict prefix. */
    public static final String HYPER_NET = "hyper_net";
    /** Simplified_Gate's logit vectors, {@code hyper_net.p_list.<l>.weight}. */
    public static final String P_LIST = HYPER_NET + ".p_list";
    /** HyperStructure's fixed GRU inputs [L, 1, 64]: a parameter of the state_dict that never trains. */
    public static final String FIXED_INPUTS = HYPER_NET + ".inputs";
    /** The gate generator's logits theta [G] (output of {@link #generator}). */
    public static final String THETA = "theta";
    /** Uniform draws [total gated channels] of the Gumbel noise. */
    public static final String U_GATES = "u_gates";
    /** The gate vector [total gated channels] (relaxed, or hard). */
    public static final String GATES = "gates";
    /** The stored unpruned selector parameters [N, 3], fed per batch. */
    public static final String TARGET_PARAMS = "target_params";

    /** Only the gate generator trains (not its fixed inputs): classifier and selector are frozen. */
    public static final Predicate<String> FROZEN_C = n -> !n.startsWith(HYPER_NET + ".") || n.equals(FIXED_INPUTS);

    private IspSearch() {}

    /** The gated layers of a CIFAR ResNet with {@code blocks} per stage: conv1 weight names and widths. */
    public record Layout(List<String> convs, long[] widths) {
        public long total() {
            long t = 0;
            for (long w : widths) {
                t += w;
            }
            return t;
        }

        public int layers() {
            return widths.length;
        }

        /** The gated layers of {@code s}'s classifier. */
        public static Layout of(IspGraphs.Spec s) {
            if (s.arch() == IspGraphs.Arch.RESNET) {
                return resNet(s.blocks());
            }
            long[] widths = IspNets.mobileNetV2Hidden();
            List<String> convs = new ArrayList<>();
            for (int i = 0; i < widths.length; i++) {
                convs.add("layers." + i + ".conv1.weight");
            }
            return new Layout(convs, widths);
        }

        public static Layout resNet(int blocks) {
            List<String> convs = new ArrayList<>();
            long[] widths = new long[3 * blocks];
            for (int s = 0; s < 3; s++) {
                for (int i = 0; i < blocks; i++) {
                    convs.add("layer" + (s + 1) + "." + i + ".conv1.weight");
                    widths[s * blocks + i] = 16L << s;
                }
            }
            return new Layout(convs, widths);
        }

        /** The hard vector split per layer (keep = 1). */
        public boolean[][] split(float[] hard) {
            boolean[][] out = new boolean[widths.length][];
            int k = 0;
            for (int l = 0; l < widths.length; l++) {
                out[l] = new boolean[(int) widths[l]];
                for (int c = 0; c < widths[l]; c++) {
                    out[l][c] = hard[k++] >= 0.5f;
                }
            }
            return out;
        }
    }

    /** The Gumbel-sigmoid gates v [G] from logits theta [G] and uniform draws u [G]; hard: straight-through. */
    public static Value relax(Ops o, Value theta, Value u, boolean hard) {
        Value eps = o.scalar(DataType.FLOAT, 1e-20);
        Value g = o.neg(o.op("Log", o.add(o.neg(o.op("Log", o.add(u, eps))), eps)));
        Value v = o.sigmoid(o.div(o.add(o.add(theta, g), o.scalar(DataType.FLOAT, OFFSET)),
                o.scalar(DataType.FLOAT, TEMPERATURE)));
        return hard ? straightThrough(o, v) : v;
    }

    /** (v >= 0.5) + v - v.detach(): the hard value, the relaxed gradient (the authors' hard_concrete). */
    public static Value straightThrough(Ops o, Value v) {
        Value h = o.cast(o.op("GreaterOrEqual", v, o.scalar(DataType.FLOAT, 0.5)), DataType.FLOAT);
        return o.add(o.sub(h, Autodiff.stopGradient(o, v)), v);
    }

    /** The noise-free decision (theta + 3 >= 0), as 0/1 floats [G]. */
    public static Value decision(Ops o, Value theta) {
        return o.cast(o.op("GreaterOrEqual", o.add(theta, o.scalar(DataType.FLOAT, OFFSET)),
                o.scalar(DataType.FLOAT, 0)), DataType.FLOAT);
    }

    /** Where the logits theta [G] come from (the repository's {@code --hs}). */
    public enum GateGenerator {
        /** Simplified_Gate (the default): one free logit vector per gated layer, randn init */
        SIMPLE("simple"),
        /** HyperStructure ({@code --hs True}): fixed inputs, bi-GRU, LayerNorm, ReLU, weight-normed Linear per layer */
        HYPER("hyper");

        private final String word;

        GateGenerator(String word) {
            this.word = word;
        }

        /** The CLI's and gates.json's name. */
        public String word() {
            return word;
        }

        /** The generator of that name, if any. */
        public static Optional<GateGenerator> ofWord(String word) {
            return Arrays.stream(values()).filter(g -> g.word.equals(word)).findFirst();
        }
    }

    /** Adds {@code generator}'s parameters (named as the authors' state_dict, seeded init) and returns theta [G]. */
    public static Value theta(GraphBuilder b, Layout layout, GateGenerator generator, long seed) {
        if (generator == GateGenerator.HYPER) {
            return IspHyperStructure.theta(b, layout, seed);
        }
        Random init = new Random(seed);
        List<Value> thetas = new ArrayList<>();
        for (int l = 0; l < layout.layers(); l++) {
            float[] w = new float[(int) layout.widths()[l]];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) init.nextGaussian(); // simple_gate: nn.Parameter(torch.randn(width))
            }
            thetas.add(b.param(P_LIST + "." + l + ".weight", Tensor.ofFloats(new long[] {w.length}, w)));
        }
        return thetas.size() == 1 ? thetas.get(0) : b.ops().concat(0, thetas.toArray(new Value[0]));
    }

    /** The generator alone: no inputs, output {@link #THETA} [G]; a trained generator's weights give its logits. */
    public static Model generator(Layout layout, GateGenerator generator, long seed) {
        GraphBuilder b = new GraphBuilder("isp_gate_generator", ModelInputs.OPSET);
        b.output(theta(b, layout, generator, seed), THETA);
        return b.build();
    }

    /** How the gates are made in a graph. */
    public enum GateMode {
        /** relaxed with fed Gumbel draws (training) */
        RELAXED,
        /** straight-through hard with fed draws (the authors' eval mode) */
        HARD_SAMPLED,
        /** the noise-free decision: no draws */
        DECISION
    }

    /**
     * The search graph: input x, labels, (draws), gates from the generator's logits, the gated classifier
     * ({@code logits}, parameters {@code conv1..fc} as the classifier's), the selector decoder on the gated
     * classifier's scales ({@code selector.*}, output {@link IspGraphs#SALIENCY_PARAMS}) and the gate vector
     * ({@link #GATES}).
     */
    public static Model search(IspGraphs.Spec s, GateMode mode, GateGenerator generator, long seed) {
        Layout layout = Layout.of(s);
        GraphBuilder b = new GraphBuilder("isp_search", ModelInputs.OPSET);
        Nn nn = new Nn(b, seed);
        Ops o = b.ops();
        Value x = b.input(ModelInputs.INPUT, DataType.FLOAT, ModelInputs.BATCH, 3L, (long) s.size(), (long) s.size());
        Value labels = b.input(TrainStep.LABELS, DataType.INT64, ModelInputs.BATCH);
        Value u = mode == GateMode.DECISION ? null : b.input(U_GATES, DataType.FLOAT, layout.total());
        Value theta = theta(b, layout, generator, seed);
        Value v = mode == GateMode.DECISION ? decision(o, theta) : relax(o, theta, u, mode == GateMode.HARD_SAMPLED);
        List<Value> perLayer = o.split(v, 0, layout.widths());
        IspNets.Gates gates = (index, act) -> o.mul(act, o.reshape(perLayer.get(index), 1, -1, 1, 1));
        IspNets.ResNetTaps taps = IspGraphs.network(nn, x, s, s.classes(), gates);
        Value raw;
        try (var sel = b.scope(IspGraphs.SELECTOR)) {
            raw = IspNets.selector(nn, taps, labels, s.classes(), IspNets.CIFAR_INITIAL_SIGMA);
        }
        b.output(taps.logits(), ModelInputs.OUTPUT);
        b.output(o.reshape(raw, -1, 3), IspGraphs.SALIENCY_PARAMS);
        b.output(v, GATES);
        return b.build();
    }

    /**
     * The search objective: mseWeight MSE(saliency params, stored) + regWeight log(max(FLOPs(v) / FLOPs_full, p) / p)
     * (+ CE of the gated classifier when {@code ceWeight} > 0).
     */
    public static Objective objective(IspFlops flops, double target, double mseWeight, double regWeight,
            double ceWeight) {
        Objective obj = Objective.of("mse", LossTerms.mse(IspGraphs.SALIENCY_PARAMS, TARGET_PARAMS))
                .plus("flops", regWeight, flopsTerm(flops, target));
        obj = new Objective(List.of(new Objective.Term("mse", mseWeight, obj.terms().get(0).term()),
                obj.terms().get(1)));
        return ceWeight > 0 ? obj.plus("ce", ceWeight, LossTerms.crossEntropy(0)) : obj;
    }

    /** log(max(FLOPs(v) / FLOPs_full, p) / p) over the gate vector. */
    public static LossTerm flopsTerm(IspFlops flops, double target) {
        return ctx -> {
            Ops o = ctx.ops();
            Value ratio = flops.ratio(o, ctx.value(GATES));
            Value clamped = o.max(ratio, o.scalar(DataType.FLOAT, target));
            return o.op("Log", o.div(clamped, o.scalar(DataType.FLOAT, target)));
        };
    }
}
