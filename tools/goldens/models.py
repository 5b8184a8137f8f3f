#!/usr/bin/python3
"""Parameter counts, output shapes, multiply-adds and layer tables of torchvision's models.

Pinned to torch 1.13 / torchvision 0.14 (Debian's CPU build: run with /usr/bin/python3); both
versions are recorded in the JSON.

For every variant of the model zoo (AlexNet, VGG-11/13/16/19 with and without batch norm,
GoogLeNet with and without auxiliary classifiers, ResNet-18/34/50/101/152) at ImageNet settings
(3×224×224, 1000 classes), and for a few at other settings (classes, channels, size), it records:

  params   sum(p.numel() for p in model.parameters()), all trainable;
  buffers  the batch norms' running means and variances (num_batches_tracked left out: godl
           has no such counter);
  output   the logits' shape for one image, in eval mode (GoogLeNet's auxiliary heads
           only run in training);
  macs     multiply-adds of one forward pass, counted by forward hooks: a Conv2d's output
           size × in_channels/groups × kernel height × width, a Linear's in × out features;
           batch norm, pooling and activations are not counted (they are a few percent).

Other channel counts replace the first convolution by one with the same settings.

It also records torchinfo-style rows (each module's output shape, parameters and
multiply-adds, in call order) for ResNet-18 at 224 and for LeNet-5 as d2l writes it (written
here as an nn.Module, on 1×28×28), which pkg/models' TestSummary compares with models.Summary.

    /usr/bin/python3 tools/goldens/models.py   # writes pkg/models/testdata/models_golden.json
"""

import json
import os

import torch
import torch.nn as nn
import torchvision
from torchvision import models

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "pkg", "models", "testdata", "models_golden.json")


def googlenet(aux):
    return lambda num_classes: models.googlenet(num_classes=num_classes, aux_logits=aux, init_weights=False)


BUILDERS = {
    "alexnet": models.alexnet,
    **{f"vgg{d}{bn}": getattr(models, f"vgg{d}{bn}") for d in (11, 13, 16, 19) for bn in ("", "_bn")},
    "googlenet": googlenet(False),
    "googlenet_aux": googlenet(True),
    **{f"resnet{d}": getattr(models, f"resnet{d}") for d in (18, 34, 50, 101, 152)},
}

# name, builder, classes, channels, height = width
VARIANTS = [(name, name, 1000, 3, 224) for name in BUILDERS] + [
    ("alexnet, 10 classes, 1×64×64", "alexnet", 10, 1, 64),
    ("vgg11_bn, 10 classes, 3×32×32", "vgg11_bn", 10, 3, 32),
    ("googlenet, 10 classes, 3×96×96", "googlenet", 10, 3, 96),
    ("googlenet_aux, 10 classes, 1×96×96", "googlenet_aux", 10, 1, 96),
    ("resnet50, 10 classes, 1×64×64", "resnet50", 10, 1, 64),
]


class LeNet5(nn.Module):
    """d2l §7.6's LeNet-5 (sigmoid, average pooling, padding 2 on 28×28), as models.LeNet5(10)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.pool1 = nn.AvgPool2d(2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.pool2 = nn.AvgPool2d(2)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool1(torch.sigmoid(self.conv1(x)))
        x = self.pool2(torch.sigmoid(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = torch.sigmoid(self.fc1(x))
        return self.fc3(torch.sigmoid(self.fc2(x)))


def first_conv(model):
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            return m


def set_channels(model, channels):
    """Replaces the first convolution by one reading `channels` channels."""
    old = first_conv(model)
    new = nn.Conv2d(channels, old.out_channels, old.kernel_size, old.stride, old.padding,
                    bias=old.bias is not None)
    for parent in model.modules():
        for name, child in parent.named_children():
            if child is old:
                setattr(parent, name, new)


def macs_of(module, out):
    if isinstance(module, nn.Conv2d):
        k = module.kernel_size[0] * module.kernel_size[1] * module.in_channels // module.groups
        return out[0].numel() * k
    if isinstance(module, nn.Linear):
        return out[0].numel() * module.in_features
    return 0


def run(model, shape):
    """Runs one forward pass in eval mode; returns the output and the rows of every module call."""
    rows, open_rows = [], []
    names = {m: n for n, m in model.named_modules() if n}

    def pre(module, _):
        row = {"name": names[module].replace(".", "/"), "kind": type(module).__name__,
               "params": sum(p.numel() for p in module.parameters())}
        rows.append(row)
        open_rows.append(row)

    def post(module, _, out):
        row = open_rows.pop()
        if isinstance(out, torch.Tensor):
            # NCHW → NHWC, godl's layout.
            dims = list(out.shape)
            row["output"] = [dims[0], *dims[2:], dims[1]] if len(dims) == 4 else dims
        row["macs"] = macs_of(module, out) if isinstance(out, torch.Tensor) else 0

    hooks = [m.register_forward_pre_hook(pre) for m in names] + [m.register_forward_hook(post) for m in names]
    model.eval()
    with torch.no_grad():
        out = model(torch.zeros(shape))
    for h in hooks:
        h.remove()
    return out, rows


def buffers(model):
    return sum(b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked"))


def main():
    torch.manual_seed(0)
    variants = []
    for name, builder, classes, channels, size in VARIANTS:
        model = BUILDERS[builder](num_classes=classes)
        if channels != 3:
            set_channels(model, channels)
        out, rows = run(model, [1, channels, size, size])
        variants.append({"name": name, "model": builder, "classes": classes, "channels": channels,
                         "size": size, "params": sum(p.numel() for p in model.parameters()),
                         "buffers": buffers(model), "output": list(out.shape),
                         "macs": sum(r["macs"] for r in rows)})
        print(f"{name:40s} {variants[-1]['params']:>12,d} params {variants[-1]['macs'] / 1e9:7.3f} GMAC")

    tables = {}
    for name, model, shape in [("resnet18", models.resnet18(), [1, 3, 224, 224]),
                               ("lenet5", LeNet5(), [1, 1, 28, 28])]:
        _, rows = run(model, shape)
        tables[name] = {"input": [shape[0], *shape[2:], shape[1]], "rows": rows,
                        "params": sum(p.numel() for p in model.parameters()), "buffers": buffers(model)}

    doc = {"torch_version": torch.__version__, "torchvision_version": torchvision.__version__,
           "script": "tools/goldens/models.py", "variants": variants, "tables": tables}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(variants)} variants and {len(tables)} tables to {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
