"""PyTorch references of the papers' models, written from docs/SEEDS.md (and the module attribute names the papers'
repositories use, so state_dict keys match their checkpoints). Each case: (zoo name, module, test resolution)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class NormedLinear(nn.Module):
    """CIC cosine classifier, weight [in, out]."""

    def __init__(self, fin, fout):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(fin, fout))

    def forward(self, x):
        return F.normalize(x, dim=1).mm(F.normalize(self.weight, dim=0))

    def macs(self, x, y):
        return self.weight.numel()


class CifarBasicBlock(nn.Module):
    """BasicBlock with option 'B' (conv+BN `shortcut`) or option 'A' (AvgPool2d(2) + appended zero channels)."""

    def __init__(self, cin, cout, stride, option):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.option = option
        self.cout = cout
        self.project = stride != 1 or cin != cout
        if self.project and option == "B":
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        if not self.project:
            s = x
        elif self.option == "B":
            s = self.shortcut(x)
        else:
            s = F.avg_pool2d(x, 2, 2)
            s = torch.cat([s, s.new_zeros(s.shape[0], self.cout - s.shape[1], s.shape[2], s.shape[3])], 1)
        return F.relu(y + s)


class CifarResNet(nn.Module):
    def __init__(self, widths, blocks, classes, option, head):
        super().__init__()
        self.conv1 = nn.Conv2d(3, widths[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        cin = widths[0]
        for i, w in enumerate(widths):
            layers = []
            for j in range(blocks):
                layers.append(CifarBasicBlock(cin, w, 2 if (j == 0 and i > 0) else 1, option))
                cin = w
            setattr(self, "layer%d" % (i + 1), nn.Sequential(*layers))
        self.fc = head(cin, classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class IspMobileBlock(nn.Module):
    def __init__(self, cin, cout, t, stride):
        super().__init__()
        planes = t * cin
        self.stride = stride
        self.conv1 = nn.Conv2d(cin, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, groups=planes, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride == 1 and cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return y + self.shortcut(x) if self.stride == 1 else y


class IspMobileNetV2(nn.Module):
    SETTING = [(1, 16, 1, 1), (6, 24, 2, 1), (6, 32, 3, 1), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
               (6, 320, 1, 1)]

    def __init__(self, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(32)
        layers, cin = [], 32
        for t, c, n, s in self.SETTING:
            for i in range(n):
                layers.append(IspMobileBlock(cin, c, t, s if i == 0 else 1))
                cin = c
        self.layers = nn.Sequential(*layers)
        self.conv2 = nn.Conv2d(320, 1280, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(1280)
        self.linear = nn.Linear(1280, classes)

    def forward(self, x):
        x = self.layers(F.relu(self.bn1(self.conv1(x))))
        x = F.relu(self.bn2(self.conv2(x)))
        return self.linear(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def cic_resnext50(classes):
    m = torchvision.models.resnext50_32x4d(num_classes=classes)
    m.fc = NormedLinear(2048, classes)
    return m


def cases():
    yield "cic_resnet32", CifarResNet([64, 128, 256], 5, 100, "B", NormedLinear), 32
    yield "cic_resnext50_32x4d", cic_resnext50(10), 64
    yield "cifar_resnet56", CifarResNet([16, 32, 64], 9, 10, "A", nn.Linear), 32
    yield "cifar_mobilenet_v2", IspMobileNetV2(10), 32
    yield from efficientmod_cases()
    yield from iieu_cases()
    yield from anchornet_cases()
    yield from iieu_mobilenet_cases()


# ---- EfficientMod (SEEDS.md section 3), channel-last ----

class ContextLayer(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.f = nn.Linear(dim, dim)
        self.g = nn.Linear(dim, dim)
        self.context_list = nn.ModuleList([nn.Conv2d(dim, dim, 7, 1, 3, groups=dim)])

    def forward(self, x):
        c = self.context_list[0](self.f(x).permute(0, 3, 1, 2))
        return self.g(F.gelu(c).permute(0, 2, 3, 1))


class ModMlp(nn.Module):
    def __init__(self, dim, ratio):
        super().__init__()
        self.ratio = ratio
        self.fc1 = nn.Linear(dim, dim * ratio)
        self.context_layer = ContextLayer(dim)
        self.fc2 = nn.Linear(dim * ratio, dim)

    def forward(self, x):
        ctx = self.context_layer(x)
        v = self.fc1(x)
        if self.ratio != 1:
            v = F.gelu(v)
            ctx = ctx.repeat(1, 1, 1, self.ratio)
        return self.fc2(v * ctx)


class ModBlock(nn.Module):
    def __init__(self, dim, ratio):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.mlp = ModMlp(dim, ratio)
        self.gamma_1 = nn.Parameter(torch.full((dim,), 1e-4))

    def forward(self, x):
        return x + self.gamma_1 * self.mlp(self.norm(x))


class Attention(nn.Module):
    def __init__(self, dim, heads=8):
        super().__init__()
        self.heads = heads
        self.hd = max(dim // heads, 32)
        self.qkv = nn.Linear(dim, 3 * heads * self.hd, bias=False)
        self.proj = nn.Linear(heads * self.hd, dim)

    def forward(self, x):
        b, n, _ = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, self.hd).permute(2, 0, 3, 1, 4).unbind(0)
        a = ((q * self.hd ** -0.5) @ k.transpose(-2, -1)).softmax(-1)
        return self.proj((a @ v).transpose(1, 2).reshape(b, n, self.heads * self.hd))

    def macs(self, x, y):
        n = x.shape[1]
        return 2 * self.heads * n * n * self.hd


class AttMlp(nn.Module):
    def __init__(self, dim, ratio):
        super().__init__()
        self.fc1 = nn.Linear(dim, int(dim * ratio))
        self.fc2 = nn.Linear(int(dim * ratio), dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class AttBlock(nn.Module):
    def __init__(self, dim, ratio):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = AttMlp(dim, ratio)

    def forward(self, x):
        b, h, w, c = x.shape
        t = x.reshape(b, h * w, c)
        t = t + self.attn(self.norm1(t))
        t = t + self.mlp(self.norm2(t))
        return t.reshape(b, h, w, c)


class PatchEmbed(nn.Module):
    def __init__(self, cin, cout, k, s, p):
        super().__init__()
        self.proj = nn.Conv2d(cin, cout, k, s, p)
        self.norm = nn.LayerNorm(cout)

    def forward(self, x):
        return self.norm(self.proj(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1))


class ModStage(nn.Module):
    def __init__(self, dim, depth, att_depth, ratio, att_ratio, out_dim):
        super().__init__()
        blocks = [ModBlock(dim, 1 if j % 2 == 0 else ratio) for j in range(depth)]
        blocks += [AttBlock(dim, att_ratio) for _ in range(att_depth)]
        self.blocks = nn.ModuleList(blocks)
        self.downsample = PatchEmbed(dim, out_dim, 3, 2, 1) if out_dim else None

    def forward(self, x):
        for blk in self.blocks:
            x = blk(x)
        return self.downsample(x) if self.downsample is not None else x


class EfficientMod(nn.Module):
    def __init__(self, dims, depths, att_depths, ratio, att_ratios, classes):
        super().__init__()
        self.patch_embed = PatchEmbed(3, dims[0], 7, 4, 3)
        self.layers = nn.ModuleList([ModStage(dims[i], depths[i], att_depths[i], ratio, att_ratios[i],
                                              dims[i + 1] if i < 3 else None) for i in range(4)])
        self.norm = nn.LayerNorm(dims[3])
        self.head = nn.Linear(dims[3], classes)

    def forward(self, x):
        x = self.patch_embed(x.permute(0, 2, 3, 1))
        for layer in self.layers:
            x = layer(x)
        return self.head(self.norm(x).mean(dim=(1, 2)))


EFFICIENTMOD = {
    "efficientmod_xxs": ([32, 64, 128, 256], [2, 2, 6, 2], [0, 0, 1, 2], 6, [0, 0, 4, 4]),
    "efficientmod_xs": ([32, 64, 144, 288], [3, 3, 4, 2], [0, 0, 3, 3], 4, [4, 4, 4, 4]),
    "efficientmod_s": ([32, 64, 144, 312], [4, 4, 8, 4], [0, 0, 4, 4], 6, [4, 4, 4, 5]),
    "efficientmod_s_conv": ([40, 80, 160, 344], [4, 4, 12, 8], [0, 0, 0, 0], 6, [0, 0, 0, 0]),
}


def efficientmod_cases():
    for name, spec in EFFICIENTMOD.items():
        yield name, EfficientMod(*spec, 10), 64


# ---- IIEU-B (SEEDS.md section 1.1, 1.3) ----

class IIEUB(nn.Module):
    """IIEU-B for the BN output x of a conv (kernel k, stride s, pad p) whose input was x_pre and weight W."""

    def __init__(self, k, s, p, planes):
        super().__init__()
        self.k, self.s, self.p = k, s, p
        self.norm = nn.LayerNorm(planes, eps=1e-6)
        self.bound = nn.Parameter(torch.full((1, planes, 1, 1), 0.05))

    def forward(self, x, x_pre, weight):
        eps = 1e-8
        if self.k > 1:
            n2 = x_pre.pow(2).sum(dim=1, keepdim=True)
            pre = torch.reciprocal(torch.sqrt(F.avg_pool2d(n2, self.k, self.s, self.p)) + eps) * (1.0 / self.k)
        elif self.s > 1:
            pre = torch.reciprocal(torch.linalg.vector_norm(F.avg_pool2d(x_pre, 1, self.s), dim=1, keepdim=True) + eps)
        else:
            pre = torch.reciprocal(torch.linalg.vector_norm(x_pre, dim=1, keepdim=True) + eps)
        filt = torch.reciprocal(torch.linalg.vector_norm(weight.reshape(weight.shape[0], -1), dim=1) + eps)
        filt = filt.reshape(1, -1, 1, 1)
        shift = torch.sigmoid(self.norm(F.adaptive_avg_pool2d(x, 1).flatten(1)))[:, :, None, None]
        m = -self.bound + shift + filt * x * pre
        return torch.where(m < 0, self.bound * x * torch.exp(m.clamp(max=0)), self.bound * x + m * x)


# ---- IIEU-DC (SEEDS.md section 1.2): the dynamic scaler that replaces the residual add ----

class SpatialGNorm(nn.Module):
    """Per-token normalisation over the last axis with the UNBIASED std and eps added to the std."""

    def __init__(self, tokens, dim, eps=1e-6):
        super().__init__()
        self.gamma = nn.Parameter(torch.full((1, tokens, dim), 0.01))
        self.beta = nn.Parameter(torch.zeros(1, tokens, dim))
        self.eps = eps

    def forward(self, h):
        normed = (h - h.mean(dim=-1, keepdim=True)) / (h.std(dim=-1, unbiased=True, keepdim=True) + self.eps)
        return self.gamma * normed + self.beta


class IIEUBDC(nn.Module):
    """IIEU-B on the [B, 2, C/r] tokens of gen1 applied to the [B, 2, C] tokens a."""

    def __init__(self, planes, bound):
        super().__init__()
        self.norm = SpatialGNorm(2, planes)
        self.bound = nn.Parameter(torch.full((1, 1, planes), bound))

    def forward(self, h, a, weight):
        eps = 1e-8
        pre = 1.0 / (torch.linalg.vector_norm(a, dim=2, keepdim=True) + eps)
        filt = (1.0 / (torch.linalg.vector_norm(weight, dim=1) + eps)).view(1, 1, -1)
        m = -self.bound + torch.sigmoid(self.norm(h)) + filt * h * pre
        return torch.where(m < 0, self.bound * h * torch.exp(m.clamp(max=0)), self.bound * h + m * h)


class DynamicScaler(nn.Module):
    """softmax over {branch, shortcut} per channel from an LN -> gen1 -> IIEU-DC -> gen2 -> LN of both GAPs."""

    def __init__(self, c, rate_reduct, bound):
        super().__init__()
        r = 2 * rate_reduct
        self.norm_cat = nn.LayerNorm(2 * c, eps=1e-6)
        self.gen1 = nn.Linear(c, c // r, bias=False)
        self.nl = IIEUBDC(c // r, bound)
        self.gen2 = nn.Linear(c // r, c, bias=False)
        self.norm = nn.LayerNorm(2 * c, eps=1e-6)

    def forward(self, x, res):
        b, c = x.shape[0], x.shape[1]
        pooled = torch.cat([F.adaptive_avg_pool2d(x, 1), F.adaptive_avg_pool2d(res, 1)], dim=1)
        a = self.norm_cat(pooled.flatten(2).transpose(1, -1)).view(b, 2, c)
        h = self.nl(self.gen1(a), a, self.gen1.weight)
        comb = self.norm(self.gen2(h).view(b, 1, 2 * c)).view(b, 2, c, 1, 1).softmax(dim=1)
        return x * comb[:, 0] + res * comb[:, 1]


class IieuBottleneck(nn.Module):
    def __init__(self, cin, planes, stride, dc=False):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.act1 = IIEUB(1, 1, 0, planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.act2 = IIEUB(3, stride, 1, planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.act3 = IIEUB(1, 1, 0, planes * 4)
        self.downsample = None
        if stride != 1 or cin != planes * 4:
            self.downsample = nn.Sequential(nn.Conv2d(cin, planes * 4, 1, stride, bias=False),
                                            nn.BatchNorm2d(planes * 4))
            self.act_res = IIEUB(1, stride, 0, planes * 4)
        self.scaler = DynamicScaler(planes * 4, 8, 0.01) if dc else None

    def forward(self, x):
        y = self.act1(self.bn1(self.conv1(x)), x, self.conv1.weight)
        y2 = self.act2(self.bn2(self.conv2(y)), y, self.conv2.weight)
        y3 = self.act3(self.bn3(self.conv3(y2)), y2, self.conv3.weight)
        r = x
        if self.downsample is not None:
            r = self.act_res(self.downsample(x), x, self.downsample[0].weight)
        return y3 + r if self.scaler is None else self.scaler(y3, r)


class IieuResNet(nn.Module):
    def __init__(self, layers, classes, dc=False):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.act1 = IIEUB(7, 2, 3, 64)
        cin = 64
        for i, (planes, n) in enumerate(zip([64, 128, 256, 512], layers)):
            blocks = []
            for j in range(n):
                blocks.append(IieuBottleneck(cin, planes, 2 if (j == 0 and i > 0) else 1, dc))
                cin = planes * 4
            setattr(self, "layer%d" % (i + 1), nn.Sequential(*blocks))
        self.fc = nn.Linear(2048, classes)

    def forward(self, x):
        y = F.max_pool2d(self.act1(self.bn1(self.conv1(x)), x, self.conv1.weight), 3, 2, 1)
        y = self.layer4(self.layer3(self.layer2(self.layer1(y))))
        return self.fc(F.adaptive_avg_pool2d(y, 1).flatten(1))


def iieu_cases():
    from torchvision.models.resnet import Bottleneck, ResNet
    for depth, layers in [("14", [1, 1, 1, 1]), ("26", [2, 2, 2, 2]), ("50", [3, 4, 6, 3])]:
        yield "iieub_resnet" + depth, IieuResNet(layers, 10), 64
        yield "iieudc_resnet" + depth, IieuResNet(layers, 10, dc=True), 64
    for depth, layers in [("14", [1, 1, 1, 1]), ("26", [2, 2, 2, 2])]:
        yield "raw_resnet" + depth, ResNet(Bottleneck, layers, num_classes=10), 64
    yield from iieu_baseline_cases()


class ActBottleneck(nn.Module):
    """timm's Bottleneck with act_layer: act1/act2 after bn1/bn2, none after bn3, act3 after the residual add."""

    def __init__(self, cin, planes, stride, act):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.act1 = act()
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.act2 = act()
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.act3 = act()
        self.downsample = None
        if stride != 1 or cin != planes * 4:
            self.downsample = nn.Sequential(nn.Conv2d(cin, planes * 4, 1, stride, bias=False),
                                            nn.BatchNorm2d(planes * 4))

    def forward(self, x):
        y = self.act1(self.bn1(self.conv1(x)))
        y = self.act2(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return self.act3(y + (x if self.downsample is None else self.downsample(x)))


class ActResNet(nn.Module):
    """timm ResNet (Bottleneck, deep stem off) with act_layer: the IIEU paper's activation baselines."""

    def __init__(self, layers, classes, act):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.act1 = act()
        cin = 64
        for i, planes in enumerate([64, 128, 256, 512]):
            blocks = []
            for j in range(layers[i]):
                blocks.append(ActBottleneck(cin, planes, 2 if (j == 0 and i > 0) else 1, act))
                cin = planes * 4
            setattr(self, "layer%d" % (i + 1), nn.Sequential(*blocks))
        self.fc = nn.Linear(2048, classes)

    def forward(self, x):
        y = F.max_pool2d(self.act1(self.bn1(self.conv1(x))), 3, 2, 1)
        y = self.layer4(self.layer3(self.layer2(self.layer1(y))))
        return self.fc(F.adaptive_avg_pool2d(y, 1).flatten(1))


BASELINE_ACTIVATIONS = {"gelu_": nn.GELU, "mish_": nn.Mish, "swish_": nn.SiLU, "silu_": nn.SiLU, "elu_": nn.ELU,
                        "softplus_": nn.Softplus, "leakyrelu_": nn.LeakyReLU, "prelu_": nn.PReLU}


def iieu_baseline_cases():
    for prefix in ["gelu_", "mish_", "prelu_", "elu_", "leakyrelu_", "softplus_", "silu_"]:
        yield prefix + "resnet14", ActResNet([1, 1, 1, 1], 10, BASELINE_ACTIVATIONS[prefix]), 64


# ---- AnchorNet (SEEDS.md section 4.1) ----

def swish(x):
    return x * torch.sigmoid(x)


class AnchorSE(nn.Module):
    def __init__(self, channels, se_channels):
        super().__init__()
        self.se1 = nn.Conv2d(channels, se_channels, 1)
        self.se2 = nn.Conv2d(se_channels, channels, 1)

    def forward(self, x):
        return x * torch.sigmoid(self.se2(swish(self.se1(F.adaptive_avg_pool2d(x, 1)))))


class AnchorBlock(nn.Module):
    def __init__(self, k, cin, e, cout, s):
        super().__init__()
        ch = int(e * cin)
        self.e, self.s, self.skip = e, s, s == 1 and cin == cout
        self.conv1 = nn.Conv2d(cin, ch, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(ch)
        self.conv2 = nn.Conv2d(ch, ch, k, s, 0, groups=ch, bias=False)
        self.bn2 = nn.BatchNorm2d(ch)
        self.se = AnchorSE(ch, int(cin * 0.25))
        self.conv3 = nn.Conv2d(ch, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)

    def forward(self, x):
        h = x if self.e == 1 else swish(self.bn1(self.conv1(x)))
        h = self.bn3(self.conv3(self.se(swish(self.bn2(self.conv2(h))))))
        if self.skip:
            h = h + x[:, :, :h.shape[2], :h.shape[3]]
        return h


class AnchorNet(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 2, 0, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.bneck = nn.Sequential(*[AnchorBlock(*r) for r in [
            (3, 16, 1, 16, 2), (3, 16, 3, 24, 2), (3, 24, 4, 24, 1), (3, 24, 4, 48, 1), (3, 48, 2, 96, 1),
            (3, 96, 1.5, 96, 1), (3, 96, 1.5, 96, 1)]])
        self.exp_conv = nn.Conv2d(96, 512, 1)
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        fea = self.exp_conv(self.bneck(swish(self.bn1(self.conv1(x)))))
        return fea, self.fc.weight, self.fc(F.adaptive_avg_pool2d(fea, 1).flatten(1))


def anchornet_cases():
    yield "anchornet", AnchorNet(10), 224
    yield "densenet201_95", torchvision.models.densenet201(num_classes=10), 95


def make_divisible(v, d=8):
    n = max(d, int(v + d / 2) // d * d)
    return n + d if n < 0.9 * v else n


class IieuConvBn(nn.Sequential):
    def __init__(self, cin, cout, k, s, p, groups=1):
        super().__init__(nn.Conv2d(cin, cout, k, s, p, groups=groups, bias=False), nn.BatchNorm2d(cout))


class IieuInvertedResidual(nn.Module):
    def __init__(self, cin, cout, s, t, dc=False):
        super().__init__()
        hidden = round(cin * t)
        self.t, self.identity = t, s == 1 and cin == cout
        self.scaler = DynamicScaler(cout, 2, 0.05) if dc and self.identity else None
        if t == 1:
            self.conv1 = IieuConvBn(hidden, hidden, 3, s, 1, hidden)
            self.act1 = IIEUB(3, s, 1, hidden)
            self.conv2 = IieuConvBn(hidden, cout, 1, 1, 0)
        else:
            self.conv1 = IieuConvBn(cin, hidden, 1, 1, 0)
            self.act1 = IIEUB(1, 1, 0, hidden)
            self.conv2 = IieuConvBn(hidden, hidden, 3, s, 1, hidden)
            self.act2 = IIEUB(3, s, 1, hidden)
            self.conv3 = IieuConvBn(hidden, cout, 1, 1, 0)

    def forward(self, x):
        if self.t == 1:
            y = self.conv2(self.act1(self.conv1(x), x, self.conv1[0].weight))
        else:
            a1 = self.act1(self.conv1(x), x, self.conv1[0].weight)
            y = self.conv3(self.act2(self.conv2(a1), a1, self.conv2[0].weight))
        if not self.identity:
            return y
        return x + y if self.scaler is None else self.scaler(y, x)


class IieuMobileNetV2(nn.Module):
    def __init__(self, classes, width=0.17, dc=False):
        super().__init__()
        cin = make_divisible(32 * width)
        self.layer_open = nn.Sequential(nn.Conv2d(3, cin, 3, 2, 1, bias=False), nn.BatchNorm2d(cin), IIEUB(3, 2, 1, cin))
        layers = []
        for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
                           (6, 320, 1, 1)]:
            cout = make_divisible(c * width)
            for i in range(n):
                layers.append(IieuInvertedResidual(cin, cout, s if i == 0 else 1, t, dc))
                cin = cout
        self.features = nn.Sequential(*layers)
        self.conv = nn.Sequential(nn.Conv2d(cin, 1280, 1, bias=False), nn.BatchNorm2d(1280), IIEUB(1, 1, 0, 1280))
        self.classifier = nn.Linear(1280, classes)

    def forward(self, x):
        y = self.layer_open[2](self.layer_open[1](self.layer_open[0](x)), x, self.layer_open[0].weight)
        y = self.features(y)
        y = self.conv[2](self.conv[1](self.conv[0](y)), y, self.conv[0].weight)
        return self.classifier(F.adaptive_avg_pool2d(y, 1).flatten(1))


def iieu_mobilenet_cases():
    yield "iieub_mobilenetv2_017", IieuMobileNetV2(10), 64
    yield "iieudc_mobilenetv2_017", IieuMobileNetV2(10, dc=True), 64
