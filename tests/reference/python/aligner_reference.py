#!/usr/bin/env python3
"""PyTorch reference of the aligner model, its losses and one AdamW step (ARCHITECTURE.md §5).

Independent of the TensorFlow.js code: built from PyTorch's own operators (conv2d with stride P for the
patch embedding, F.multi_head_attention_forward for self- and cross-attention, F.layer_norm, F.gelu,
F.interpolate(bilinear, align_corners=False), conv2d with padding 1, binary_cross_entropy_with_logits,
torch.optim.AdamW), in float64.

Usage: aligner_reference.py step IN_DIR OUT_DIR
IN_DIR holds manifest.json ({"config": …, "options": …, "tensors": {name: {"shape": […], "file": …}}}) and
raw little-endian float32 files: every weight in the TensorFlow.js layout (linear weights [in, out], conv
weights [9·Cin, Cout] with rows (ky, kx, cin)) and the batch (batch.images [B,S,S,1], batch.labels [B,C],
batch.known [B,C], batch.masks [B,C,R,R], batch.weight [B,C]). OUT_DIR receives the same kind of manifest
with the outputs, the losses, the gradient of every trainable weight (grad.NAME) and every weight after
one AdamW step (after.NAME), all in the TensorFlow.js layout. Where IN_DIR also holds the caller's own
gradients (given.grad.NAME), the weights after one AdamW step from those are written too (adamw.NAME).
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
LAYER_NORM_EPS = 1e-6


def read_tensors(directory):
    with open(os.path.join(directory, "manifest.json")) as f:
        manifest = json.load(f)
    tensors = {}
    for name, entry in manifest["tensors"].items():
        data = np.fromfile(os.path.join(directory, entry["file"]), dtype="<f4").astype(np.float64)
        tensors[name] = torch.from_numpy(data.reshape(entry["shape"]))
    return manifest, tensors


def write_tensors(directory, tensors, scalars):
    os.makedirs(directory, exist_ok=True)
    entries = {}
    for i, (name, tensor) in enumerate(tensors.items()):
        file = f"t{i}.f32"
        tensor.detach().numpy().astype("<f4").tofile(os.path.join(directory, file))
        entries[name] = {"shape": list(tensor.shape), "file": file}
    with open(os.path.join(directory, "manifest.json"), "w") as f:
        json.dump({"tensors": entries, "scalars": scalars}, f)


def linear(x, weight, bias):
    """weight [in, out] (TensorFlow.js layout)."""
    return F.linear(x, weight.t(), bias)


def conv_weight(weight, in_channels):
    """[9·Cin, Cout] rows (ky, kx, cin) → PyTorch [Cout, Cin, 3, 3]."""
    return weight.reshape(3, 3, in_channels, -1).permute(3, 2, 0, 1)


def attention(query, key_value, w, prefix, heads, qkv=None):
    """Multi-head attention, sequence-first tensors ([L, B, D]); returns output and head-averaged weights."""
    d = query.shape[-1]
    if qkv is not None:  # fused [D, 3D] in-projection of self-attention
        in_weight, in_bias = w[f"{qkv}.weight"].t(), w[f"{qkv}.bias"]
    else:
        in_weight = torch.cat([w[f"{prefix}.{p}.weight"].t() for p in "qkv"], 0)
        # The cross-attention has no key bias (softmax cancels it): zeros in its place.
        in_bias = torch.cat([w.get(f"{prefix}.{p}.bias", torch.zeros(d)) for p in "qkv"], 0)
    return F.multi_head_attention_forward(
        query, key_value, key_value, d, heads, in_weight, in_bias, None, None, False, 0.0,
        w[f"{prefix}.proj.weight"].t(), w[f"{prefix}.proj.bias"],
        training=False, need_weights=True, average_attn_weights=True,
    )


def forward(config, w, images):
    s, p, d, heads = config["imageSize"], config["patchSize"], config["width"], config["heads"]
    g, r = s // p, config["maskSize"]
    b, c = images.shape[0], len(config["findings"])
    # Patch embedding as a stride-P convolution; weight [P², D] rows (py, px).
    x = F.conv2d(images.permute(0, 3, 1, 2), w["patch_embed.weight"].t().reshape(d, 1, p, p), w["patch_embed.bias"], stride=p)
    x = x.flatten(2).transpose(1, 2) + w["pos_embed"]  # [B, N, D]
    for i in range(config["depth"]):
        blk = f"blocks.{i}"
        h = F.layer_norm(x, (d,), w[f"{blk}.norm1.weight"], w[f"{blk}.norm1.bias"], LAYER_NORM_EPS).transpose(0, 1)
        out, _ = attention(h, h, w, f"{blk}.attn", heads, qkv=f"{blk}.attn.qkv")
        x = x + out.transpose(0, 1)
        h = F.layer_norm(x, (d,), w[f"{blk}.norm2.weight"], w[f"{blk}.norm2.bias"], LAYER_NORM_EPS)
        x = x + linear(F.gelu(linear(h, w[f"{blk}.mlp.fc1.weight"], w[f"{blk}.mlp.fc1.bias"])), w[f"{blk}.mlp.fc2.weight"], w[f"{blk}.mlp.fc2.bias"])
    tokens = F.layer_norm(x, (d,), w["norm.weight"], w["norm.bias"], LAYER_NORM_EPS)
    prompts = w["prompt.embeddings"].unsqueeze(1).expand(c, b, d)
    fused, weights = attention(prompts, tokens.transpose(0, 1), w, "cross_attn", heads)
    fused = fused.transpose(0, 1)  # [B, C, D]
    logits = (fused * w["head.weight"]).sum(-1) + w["head.bias"]
    attention_map = weights.reshape(b, c, g, g)
    m = (attention_map * (g * g)).reshape(b * c, 1, g, g)
    up = F.interpolate(m, size=(r, r), mode="bilinear", align_corners=False)
    hidden = F.relu(F.conv2d(up, conv_weight(w["aligner.conv1.weight"], 1), w["aligner.conv1.bias"], padding=1))
    hidden_channels = w["aligner.conv1.weight"].shape[1]
    out = F.conv2d(hidden, conv_weight(w["aligner.conv2.weight"], hidden_channels), w["aligner.conv2.bias"], padding=1)
    aligned = torch.sigmoid(out).reshape(b, c, r, r)
    return logits, attention_map, aligned


def bce_with_logits(logits, labels, known):
    per_entry = F.binary_cross_entropy_with_logits(logits, labels, reduction="none")
    return (per_entry * known).sum() / torch.clamp(known.sum(), min=1.0)


def aligner_dice(aligned, masks, weight, w_fp, alpha, eps, region):
    p, y = aligned, masks
    if region == "annotated":
        inside = (masks > 0.5).to(aligned.dtype)
        p, y = p * inside, y * inside
    overlap = (y * p).sum((2, 3))
    total = (y + p).sum((2, 3))
    false_positive = (p * (1 - y)).sum((2, 3))
    loss = 1 - (2 * overlap + alpha + eps) / (total + (w_fp - 1) * false_positive + alpha + eps)
    return (loss * weight).sum() / torch.clamp(weight.sum(), min=1.0)


def adamw_step(initial, grads, options):
    """One torch.optim.AdamW step on copies of `initial` with the given gradients."""
    params = {n: initial[n].clone().requires_grad_(True) for n in grads}
    for n, p in params.items():
        p.grad = grads[n].detach().clone()
    optimiser = torch.optim.AdamW(
        list(params.values()),
        lr=options["learningRate"],
        betas=(options["beta1"], options["beta2"]),
        eps=options["epsilon"],
        weight_decay=options["weightDecay"],
    )
    optimiser.step()
    return {n: p.detach() for n, p in params.items()}


def step(in_dir, out_dir):
    manifest, tensors = read_tensors(in_dir)
    config, options = manifest["config"], manifest["options"]
    batch = {k[len("batch."):]: v for k, v in tensors.items() if k.startswith("batch.")}
    weights = {k: v for k, v in tensors.items() if not k.startswith(("batch.", "given."))}
    trainable = set(manifest["trainable"])
    for name in trainable:
        weights[name].requires_grad_(True)

    logits, attention_map, aligned = forward(config, weights, batch["images"])
    dice = options["dice"]
    bce = bce_with_logits(logits, batch["labels"], batch["known"])
    al = aligner_dice(aligned, batch["masks"], batch["weight"], dice["wFp"], dice["alpha"], dice["eps"], dice["region"])
    total = bce + options["lambda"] * al
    total.backward()

    out = {"logits": logits, "attention": attention_map, "aligned": aligned}
    out.update({f"grad.{n}": weights[n].grad.detach().clone() for n in manifest["trainable"]})
    # One AdamW step from PyTorch's own gradients (after.*) and one from the gradients the caller computed
    # (given.grad.*, if any: adamw.*), which checks the optimiser alone.
    initial = {n: weights[n].detach().clone() for n in manifest["trainable"]}
    out.update({f"after.{n}": adamw_step(initial, {n: weights[n].grad for n in initial}, options["adamw"])[n] for n in initial})
    given = {n: tensors[f"given.grad.{n}"] for n in initial if f"given.grad.{n}" in tensors}
    if given:
        out.update({f"adamw.{n}": v for n, v in adamw_step(initial, given, options["adamw"]).items()})
    write_tensors(out_dir, out, {"bce": bce.item(), "aligner": al.item(), "total": total.item()})


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "step":
        sys.exit("usage: aligner_reference.py step IN_DIR OUT_DIR")
    step(sys.argv[2], sys.argv[3])
