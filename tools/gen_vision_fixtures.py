"""Reference values for dt.vision.makeGrid and the pixels saveImage writes.
Run: /usr/bin/python3 tools/gen_vision_fixtures.py  (writes test/fixtures/vision.json)

torchvision is not installed here, so make_grid and save_image's pixel conversion below are
torchvision 0.14's code (torchvision/utils.py), copied without the parts for lists and logging."""
import math

import torch
from fixtures_common import dump, encode


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False, pad_value=0.0):
    if tensor.dim() == 2:  # single image H x W
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 3:  # single image
        if tensor.size(0) == 1:  # if single-channel, convert to 3-channel
            tensor = torch.cat((tensor, tensor, tensor), 0)
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 4 and tensor.size(1) == 1:  # single-channel images
        tensor = torch.cat((tensor, tensor, tensor), 1)
    if normalize is True:
        tensor = tensor.clone()  # avoid modifying tensor in-place

        def norm_ip(img, low, high):
            img.clamp_(min=low, max=high)
            img.sub_(low).div_(max(high - low, 1e-5))

        def norm_range(t, value_range):
            if value_range is not None:
                norm_ip(t, value_range[0], value_range[1])
            else:
                norm_ip(t, float(t.min()), float(t.max()))

        if scale_each is True:
            for t in tensor:  # loop over mini-batch dimension
                norm_range(t, value_range)
        else:
            norm_range(tensor, value_range)
    if tensor.size(0) == 1:
        return tensor.squeeze(0)
    nmaps = tensor.size(0)
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = int(tensor.size(2) + padding), int(tensor.size(3) + padding)
    num_channels = tensor.size(1)
    grid = tensor.new_full((num_channels, height * ymaps + padding, width * xmaps + padding), pad_value)
    k = 0
    for y in range(ymaps):
        for x in range(xmaps):
            if k >= nmaps:
                break
            grid.narrow(1, y * height + padding, height - padding).narrow(2, x * width + padding, width - padding).copy_(tensor[k])
            k = k + 1
    return grid


def image_bytes(grid):
    """save_image's conversion of a grid to 8-bit pixels (HWC)."""
    return grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to("cpu", torch.uint8).to(torch.int32)


torch.manual_seed(0)
cases = []
for name, shape, options in [
    ("grey_batch_nrow2_padding1", [5, 1, 4, 3], {"nrow": 2, "padding": 1}),
    ("rgb_batch_normalize", [3, 3, 4, 4], {"normalize": True}),
    ("normalize_value_range", [4, 1, 3, 3], {"normalize": True, "valueRange": [-1.0, 1.0], "nrow": 3}),
    ("normalize_scale_each", [4, 3, 2, 3], {"normalize": True, "scaleEach": True, "nrow": 4, "padding": 3}),
    ("pad_value", [2, 3, 2, 2], {"padValue": 0.5, "padding": 1}),
    ("single_grey_image", [1, 5, 5], {}),
    ("single_2d_image", [4, 6], {"normalize": True}),
    ("rgba_batch", [3, 4, 2, 2], {"nrow": 2}),
]:
    x = torch.randn(shape)
    kw = {"nrow": options.get("nrow", 8), "padding": options.get("padding", 2), "normalize": options.get("normalize", False),
          "value_range": tuple(options["valueRange"]) if "valueRange" in options else None,
          "scale_each": options.get("scaleEach", False), "pad_value": options.get("padValue", 0.0)}
    grid = make_grid(x, **kw)
    cases.append({"name": name, "input": encode(x), "options": options, "grid": encode(grid),
                  "bytes": encode(image_bytes(grid)) if grid.dim() == 3 else None})
dump("vision", {"makeGrid": cases})
