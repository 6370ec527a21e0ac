package dev.lathe.models.iieu;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.Value;
import dev.lathe.models.torchvision.ResNet;
import java.util.List;
import java.util.Map;

/**
 * The activations the IIEU paper compares against, each swapped for every ReLU of the raw ResNet baseline
 * (docs/SEEDS.md 1.3), written with opset-17 ops and PyTorch's module defaults. The zoo names are
 * {@code <prefix>resnet14/26}.
 */
public enum BaselineActivation implements ResNet.Activation {
    /** nn.GELU(): the exact erf form 0.5 x (1 + erf(x / sqrt 2)), not the tanh approximation. */
    GELU("gelu_"),
    /** nn.Mish(): x tanh(softplus(x)). */
    MISH("mish_"),
    /** Swish and SiLU are the same function, x sigmoid(x); the paper lists both names. */
    SWISH("swish_"),
    SILU("silu_"),
    /** nn.ELU(): alpha 1. */
    ELU("elu_"),
    /** nn.Softplus(): beta 1 (its threshold 20 only switches PyTorch to the identity where log1p(exp(x)) = x). */
    SOFTPLUS("softplus_"),
    /** nn.LeakyReLU(): negative slope 0.01. */
    LEAKYRELU("leakyrelu_"),
    /** nn.PReLU(): one learnable slope per module ({@code <act>.weight}, shape [1]), initialised to 0.25. */
    PRELU("prelu_");

    private final String prefix;

    BaselineActivation(String prefix) {
        this.prefix = prefix;
    }

    /** The zoo name prefix, e.g. {@code gelu_} for {@code gelu_resnet14}. */
    public String prefix() {
        return prefix;
    }

    @Override
    public Value apply(Nn nn, String name, Value x) {
        GraphBuilder b = nn.builder();
        if (this == GELU) {
            Value erf = b.ops().erf(b.ops().mul(x, b.scalar((float) (1 / Math.sqrt(2)))));
            return b.ops().mul(b.ops().mul(x, b.scalar(0.5f)), b.ops().add(erf, b.scalar(1f)));
        } else if (this == MISH) {
            return b.ops().mul(x, b.ops().tanh(b.ops().softplus(x)));
        } else if (this == SWISH || this == SILU) {
            return b.ops().mul(x, b.ops().sigmoid(x));
        } else if (this == ELU) {
            return b.op("Elu", List.of(x), Map.of("alpha", Attr.of(1f)));
        } else if (this == SOFTPLUS) {
            return b.ops().softplus(x);
        } else if (this == LEAKYRELU) {
            return b.op("LeakyRelu", List.of(x), Map.of("alpha", Attr.of(0.01f)));
        } else {
            try (var s = b.scope(name)) {
                Value slope = b.param("weight", Nn.fill(0.25f, 1));
                return b.op("PRelu", List.of(x, slope), Map.of());
            }
        }
    }
}
