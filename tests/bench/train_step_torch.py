#!/usr/bin/env python3
"""The PyTorch side of the train-step benchmark (tests/bench/train-step.mjs). Not a test.

The model is the PyTorch reference's own forward pass (tests/reference/python/aligner_reference.py, imported, not
copied) on float32 weights in the TensorFlow.js layout, and the step is the trainer's: forward, BCE + lambda*L_AL,
backward, one torch.optim.AdamW step, both losses read back. It answers one JSON line on stdout for each JSON
command line on stdin, so that the benchmark can interleave it with the TensorFlow.js side:

  {"cmd":"build","preset":"tiny","config":{...},"weights":{"name":[shape]},"batch":32,"seed":1}
  {"cmd":"steps","preset":"tiny","count":3,"threads":1}   -> each step's ms
  {"cmd":"quit"}
"""
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference", "python"))
import aligner_reference as reference  # noqa: E402

# The reference works in float64 (it sets the default at import); the benchmark compares float32 with float32.
torch.set_default_dtype(torch.float32)

LAMBDA = 1.0
workloads = {}


def initial_weight(name, shape, generator):
    if name.endswith(("norm1.weight", "norm2.weight")) or name == "norm.weight":
        return torch.ones(shape)
    if name.endswith(".bias"):
        return torch.zeros(shape)
    std = 1.0 if name == "prompt.embeddings" else 0.02
    return torch.randn(shape, generator=generator) * std


def build(command):
    config, batch = command["config"], command["batch"]
    generator = torch.Generator().manual_seed(command.get("seed", 1))
    weights = {
        name: initial_weight(name, shape, generator).requires_grad_(True) for name, shape in command["weights"].items()
    }
    s, r, c = config["imageSize"], config["maskSize"], len(config["findings"])
    labels = (torch.rand(batch, c, generator=generator) < 0.5).float()
    known = (torch.rand(batch, c, generator=generator) < 0.85).float()
    # One disc per map, as the TensorFlow.js side draws them.
    centre = torch.rand(batch, c, 2, 1, 1, generator=generator) * r
    radius = (torch.rand(batch, c, 1, 1, generator=generator) * (1 / 3 - 1 / 8) + 1 / 8) * r
    ys, xs = torch.meshgrid(torch.arange(r).float(), torch.arange(r).float(), indexing="ij")
    masks = (((xs - centre[:, :, 0]) ** 2 + (ys - centre[:, :, 1]) ** 2) < radius**2).float()
    workloads[command["preset"]] = {
        "config": config,
        "weights": weights,
        "optimiser": torch.optim.AdamW(list(weights.values()), lr=1e-3),
        "images": torch.randn(batch, s, s, 1, generator=generator),
        "labels": labels,
        "known": known,
        "masks": masks,
        "weight": labels * known,
    }
    return {"parameters": sum(w.numel() for w in weights.values())}


def step(work):
    work["optimiser"].zero_grad(set_to_none=True)
    logits, _, aligned = reference.forward(work["config"], work["weights"], work["images"])
    bce = reference.bce_with_logits(logits, work["labels"], work["known"])
    al = reference.aligner_dice(aligned, work["masks"], work["weight"], 2.0, 1.0, 1e-6, "image")
    total = bce + LAMBDA * al
    total.backward()
    work["optimiser"].step()
    return [bce.item(), al.item()]


def answer(command):
    if command["cmd"] == "build":
        return build(command)
    if command["cmd"] == "steps":
        torch.set_num_threads(int(command.get("threads", 1)))
        work = workloads[command["preset"]]
        ms = []
        losses = None
        for _ in range(int(command["count"])):
            started = time.perf_counter()
            losses = step(work)
            ms.append((time.perf_counter() - started) * 1000)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return {"ms": ms, "losses": losses, "threads": torch.get_num_threads(), "peakRssMiB": round(peak)}
    raise ValueError(f"unknown command {command!r}")


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        if command["cmd"] == "quit":
            break
        try:
            reply = {"ok": True, **answer(command)}
        except Exception as err:  # reported to the benchmark, which says what failed
            reply = {"ok": False, "error": f"{type(err).__name__}: {err}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
