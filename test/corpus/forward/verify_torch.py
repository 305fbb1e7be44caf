"""Runs the engine's traced graphs (test/corpus/forward/engine.ts) in torch float64.

Usage: python3 verify_torch.py payload.json  -> JSON on stdout

The payload holds, per op, the graph (primitives with their parameters), the input values, a
cotangent and one tangent per differentiable input. Each graph is turned into a torch function of
its differentiable inputs (constants closed over), and torch computes the value,
torch.autograd.functional.vjp and torch.autograd.functional.jvp at that point: torch's own kernels
and its own derivatives, independent of the engine's rules.
"""
import json
import math
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def run_graph(graph, values):
    vals = {}
    for i, node in enumerate(graph["nodes"]):
        prim, p = node["prim"], node["params"]
        a = [vals[j] for j in node["args"]]
        shape = node["shape"]
        if prim == "input":
            y = values[p["name"]]
        elif prim == "const":
            y = torch.tensor(p["data"], dtype=torch.float64).reshape(shape)
        elif prim == "neg":
            y = -a[0]
        elif prim in ("exp", "log", "tanh", "sigmoid", "sin", "cos", "sqrt", "erf", "abs"):
            y = getattr(torch, prim)(a[0])
        elif prim == "softplus":
            y = F.softplus(a[0])
        elif prim == "powc":
            y = torch.pow(a[0], p["c"])
        elif prim == "add":
            y = a[0] + a[1]
        elif prim == "sub":
            y = a[0] - a[1]
        elif prim == "mul":
            y = a[0] * a[1]
        elif prim == "div":
            y = a[0] / a[1]
        elif prim == "pow":
            y = torch.pow(a[0], a[1])
        elif prim == "maximum":
            y = torch.maximum(a[0], a[1])
        elif prim == "minimum":
            y = torch.minimum(a[0], a[1])
        elif prim == "sum":
            y = torch.sum(a[0], dim=tuple(p["axes"]), keepdim=p["keep"]) if p["axes"] else a[0]
        elif prim == "max":
            y = torch.amax(a[0], dim=tuple(p["axes"]), keepdim=p["keep"]) if p["axes"] else a[0]
        elif prim == "prod":
            y = a[0]
            for ax in sorted(p["axes"], reverse=True):
                y = torch.prod(y, dim=ax, keepdim=True)
            if not p["keep"]:
                y = y.reshape(shape)
        elif prim == "reshape":
            y = a[0].reshape(p["shape"])
        elif prim == "transpose":
            y = a[0].permute(*p["perm"])
        elif prim == "broadcast":
            y = torch.broadcast_to(a[0], p["shape"])
        elif prim == "slice":
            index = tuple(slice(b, b + s * st, st) for b, s, st in zip(p["begin"], p["size"], p["step"]))
            y = a[0][index]
        elif prim == "pad":
            flat = []
            for lo, hi in reversed(p["widths"]):
                flat += [lo, hi]
            y = F.pad(a[0], flat, value=p["value"])
        elif prim == "flip":
            y = torch.flip(a[0], dims=p["axes"])
        elif prim == "gather":
            y = torch.index_select(a[0], p["axis"], a[1].long())
        elif prim == "takeAlong":
            y = torch.gather(a[0], p["axis"], a[1].long())
        elif prim == "concat":
            y = torch.cat(a, dim=p["axis"])
        elif prim == "cumsum":
            if p.get("reverse"):
                y = torch.flip(torch.cumsum(torch.flip(a[0], dims=[p["axis"]]), dim=p["axis"]), dims=[p["axis"]])
            else:
                y = torch.cumsum(a[0], dim=p["axis"])
        elif prim == "stopGradient":
            y = a[0].detach()
        elif prim == "einsum":
            y = torch.einsum(p["spec"], a[0], a[1])
        elif prim == "matmul":
            y = torch.matmul(a[0], a[1])
        elif prim == "conv":
            if p["dims"] == 1:
                y = F.conv1d(a[0], a[1], stride=p["stride"][0], padding=p["pad"][0])
            else:
                y = F.conv2d(a[0], a[1], stride=tuple(p["stride"]), padding=tuple(p["pad"]))
        else:
            raise ValueError("unknown primitive " + prim)
        if list(y.shape) != list(shape):
            raise ValueError(f"node {i} ({prim}): torch shape {list(y.shape)}, engine shape {shape}")
        vals[i] = y
    return vals[graph["output"]]


def check(op):
    graph = op["graph"]
    inputs = graph["inputs"]
    values = {i["name"]: torch.tensor(op["values"][i["name"]], dtype=torch.float64).reshape(i["shape"]) for i in inputs}
    diff = [i for i in inputs if i["grad"]]

    def f(*xs):
        v = dict(values)
        for i, x in zip(diff, xs):
            v[i["name"]] = x
        return run_graph(graph, v)

    primals = tuple(values[i["name"]].clone() for i in diff)
    out = f(*primals)
    u = torch.tensor(op["cotangent"], dtype=torch.float64).reshape(out.shape)
    tangents = tuple(torch.tensor(op["tangents"][i["name"]], dtype=torch.float64).reshape(i["shape"]) for i in diff)
    _, grads = torch.autograd.functional.vjp(f, primals, u)
    _, jv = torch.autograd.functional.jvp(f, primals, tangents)
    if not isinstance(grads, tuple):
        grads = (grads,)
    return {
        "value": out.reshape(-1).tolist(),
        "vjp": {i["name"]: g.reshape(-1).tolist() for i, g in zip(diff, grads)},
        "jvp": jv.reshape(-1).tolist(),
    }


def main():
    with open(sys.argv[1]) as fh:
        payload = json.load(fh)
    results = []
    for op in payload:
        try:
            results.append({"name": op["name"], **check(op)})
        except Exception as exc:  # reported per op
            results.append({"name": op["name"], "error": f"{type(exc).__name__}: {exc}"})
    json.dump({"torch": torch.__version__, "results": results}, sys.stdout, allow_nan=True)


if __name__ == "__main__":
    main()
