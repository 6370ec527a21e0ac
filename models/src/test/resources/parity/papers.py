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
