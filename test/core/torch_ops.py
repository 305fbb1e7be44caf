"""The torch side of test/core/torch-ops.test.ts: every case's output, first-order gradients and
Hessian-vector products, by torch's autograd in float64.

    /usr/bin/python3 test/core/torch_ops.py < request.json > answer.json

The request is {cases: [{name, inputs: [{shape, data, grad}], expr, cotangent, weights}]}, data flat
and row-major. expr is a tree: {"input": k} is the k-th input, {"value": v} a number, {"op": name, "of": [expr, ...], ...}
applies an op (its parameters beside "of") to the values of its operands, with the library's names
and conventions (axis, keepDims, widths per axis), translated here to torch's.

For each case the answer holds the output (flat) and its shape; `gradients`, the gradient of
sum(cotangent * output) with respect to each input (zeros where an input has none); and `hvps`,
the gradient with respect to each input of sum_k sum(gradient_k * weights_k), taken through the
first gradients with create_graph=True: a Hessian-vector product, so second order is checked.

It also answers {erf: [x, ...]} with torch.erf of those values: the reference for erf's accuracy.
"""
import json
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def dims(axis, x):
    if axis is None:
        return list(range(x.dim()))
    return [axis] if isinstance(axis, int) else list(axis)


def squeeze(x, axis):
    if axis is None:
        return x.squeeze()
    for d in sorted((a % x.dim() for a in dims(axis, x)), reverse=True):
        x = x.squeeze(d)
    return x


def pad(x, widths, value):
    flat = []
    for before, after in reversed(widths):
        flat += [before, after]
    return F.pad(x, flat, value=value)


def constant(p):
    return torch.tensor(p['data']).reshape(p['shape'])


def operand(v):
    return v if isinstance(v, torch.Tensor) else torch.tensor(float(v))


UNARY = {name: getattr(torch, name) for name in ['sin', 'cos', 'tan', 'erf', 'log1p', 'expm1', 'sign', 'exp', 'log', 'tanh', 'neg', 'square', 'sigmoid', 'abs']}
BINARY = {'add': torch.add, 'sub': torch.sub, 'mul': torch.mul, 'div': torch.div, 'matmul': torch.matmul}

OPS = {
    'clamp': lambda e, a: torch.clamp(a[0], min=e.get('min'), max=e.get('max')),
    'minimum': lambda e, a: torch.minimum(a[0], operand(a[1])),
    'maximum': lambda e, a: torch.maximum(a[0], operand(a[1])),
    'where': lambda e, a: torch.where(constant(e['cond']) != 0, operand(a[0]), operand(a[1])),
    'min': lambda e, a: torch.amin(a[0], dim=dims(e.get('axis'), a[0]), keepdim=e.get('keepDims', False)),
    'max': lambda e, a: torch.amax(a[0], dim=dims(e.get('axis'), a[0]), keepdim=e.get('keepDims', False)),
    'sum': lambda e, a: torch.sum(a[0], dim=dims(e.get('axis'), a[0]), keepdim=e.get('keepDims', False)),
    'logsumexp': lambda e, a: torch.logsumexp(a[0], dim=dims(e.get('axis'), a[0]), keepdim=e.get('keepDims', False)),
    'cumsum': lambda e, a: torch.cumsum(a[0], dim=e['axis']),
    'cumprod': lambda e, a: torch.cumprod(a[0], dim=e['axis']),
    'narrow': lambda e, a: torch.narrow(a[0], e['axis'], e['start'] % a[0].shape[e['axis']] if e['start'] < 0 else e['start'], e['length']),
    'pad': lambda e, a: pad(a[0], e['widths'], e.get('value', 0)),
    'concat': lambda e, a: torch.cat(a, dim=e.get('axis', 0)),
    'stack': lambda e, a: torch.stack(a, dim=e.get('axis', 0)),
    'split': lambda e, a: list(torch.split(a[0], e['sizes'], dim=e.get('axis', 0))),
    # Every piece of a split, flattened and scaled by its position (1, 2, ...), joined: each piece matters.
    'weightedCat': lambda e, a: torch.cat([p.reshape(-1) * (i + 1) for i, p in enumerate(a[0])]),
    'flip': lambda e, a: torch.flip(a[0], dims=dims(e['axes'], a[0])),
    'squeeze': lambda e, a: squeeze(a[0], e.get('axis')),
    'unsqueeze': lambda e, a: torch.unsqueeze(a[0], e['axis']),
    'sort': lambda e, a: torch.sort(a[0], dim=e.get('axis', -1), descending=e.get('descending', False)).values,
    'topk': lambda e, a: torch.topk(a[0], e['k'], dim=e.get('axis', -1), largest=e.get('largest', True)).values,
    'reshape': lambda e, a: a[0].reshape(e['shape']),
    'pow': lambda e, a: a[0] ** e['p'],
}


def evaluate(expr, leaves):
    if 'op' not in expr:
        return leaves[expr['input']] if 'input' in expr else expr['value']
    args = [evaluate(e, leaves) for e in expr.get('of', [])]
    op = expr['op']
    if op in UNARY:
        return UNARY[op](args[0])
    if op in BINARY:
        return BINARY[op](args[0], operand(args[1]))
    return OPS[op](expr, args)


def zeros_if_none(grads, leaves):
    return [torch.zeros_like(leaf) if g is None else g for g, leaf in zip(grads, leaves)]


def run(case):
    leaves = [torch.tensor(i['data']).reshape(i['shape']).requires_grad_(i['grad']) for i in case['inputs']]
    out = evaluate(case['expr'], leaves)
    wanted = [leaf for leaf in leaves if leaf.requires_grad]
    loss = (out * torch.tensor(case['cotangent']).reshape(out.shape)).sum()
    first = zeros_if_none(torch.autograd.grad(loss, wanted, create_graph=True, allow_unused=True), wanted)
    weights = [torch.tensor(w).reshape(leaf.shape) for w, leaf in zip(case['weights'], leaves) if leaf.requires_grad]
    terms = [(g * w).sum() for g, w in zip(first, weights) if g.requires_grad]
    second = [None] * len(wanted)
    if terms:
        second = torch.autograd.grad(sum(terms), wanted, allow_unused=True)
    second = zeros_if_none(second, wanted)
    by_leaf = iter(zip(first, second))
    gradients, hvps = [], []
    for leaf in leaves:
        g, h = next(by_leaf) if leaf.requires_grad else (torch.zeros_like(leaf), torch.zeros_like(leaf))
        gradients.append(g.detach().reshape(-1).tolist())
        hvps.append(h.detach().reshape(-1).tolist())
    return {'name': case['name'], 'shape': list(out.shape), 'output': out.detach().reshape(-1).tolist(), 'gradients': gradients, 'hvps': hvps}


def main():
    request = json.load(sys.stdin)
    answer = {}
    if 'cases' in request:
        answer['cases'] = [run(case) for case in request['cases']]
    if 'erf' in request:
        answer['erf'] = torch.erf(torch.tensor(request['erf'])).tolist()
    json.dump(answer, sys.stdout)


if __name__ == '__main__':
    main()
