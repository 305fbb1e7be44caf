"""The peer: torch.autograd.gradcheck on the same seven ops as test/bench/ops, in float64.

    /usr/bin/python3 test/bench/torch_peer.py [--runs 5] [--clock wall|cpu]   medians in ms as JSON on stdout
    /usr/bin/python3 test/bench/torch_peer.py --once tanh  one default-mode check (the cold-start twin
                                                           of `gradcheck run test/bench/ops/tanh.ts`)
    /usr/bin/python3 test/bench/torch_peer.py --once all   each op's default-mode check once (the twin
                                                           of `gradcheck run test/bench/ops`)
    /usr/bin/python3 test/bench/torch_peer.py --parity      reads {ops: [{name, inputs, cotangent}]} (flat
                                                           lists) on stdin, writes each op's output and the
                                                           gradients of cotangent · output, by torch's autograd
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch.autograd import gradcheck

TARGETS = torch.tensor([3, 1, 4, 1, 5, 9, 2, 6])


def attention(q, k, v):
    return torch.softmax(q @ k.T / math.sqrt(8), dim=-1) @ v


# name -> (function, input shapes); names match the gradcheck op files' `name`.
OPS = {
    'tanh 64': (torch.tanh, [[64]]),
    'matmul 16x32 @ 32x8': (torch.matmul, [[16, 32], [32, 8]]),
    'softmax + cross-entropy 8x10': (lambda logits: F.cross_entropy(logits, TARGETS), [[8, 10]]),
    'mlp 4x16 -> 32 -> 10': (
        lambda x, w1, b1, w2: (torch.tanh(x @ w1 + b1) @ w2).square().sum(),
        [[4, 16], [16, 32], [32], [32, 10]],
    ),
    'layer norm 8x32': (lambda x: F.layer_norm(x, (32,), eps=1e-5), [[8, 32]]),
    'attention 6x8': (attention, [[6, 8], [6, 8], [6, 8]]),
    'sum(matmul 64x64 @ 64x64)': (lambda a, b: (a @ b).sum(), [[64, 64], [64, 64]]),
}
SHORT = {'tanh': 'tanh 64'}


def inputs_for(shapes):
    return tuple(torch.randn(*s, dtype=torch.float64, requires_grad=True) for s in shapes)


CLOCKS = {'wall': time.perf_counter, 'cpu': time.process_time}
clock = CLOCKS['wall']


def check_ms(fn, inputs, fast_mode):
    """One check's time on the chosen clock, and on the wall clock."""
    started, started_wall = clock(), time.perf_counter()
    ok = gradcheck(fn, inputs, fast_mode=fast_mode)
    elapsed, elapsed_wall = (clock() - started) * 1000, (time.perf_counter() - started_wall) * 1000
    if not ok:
        raise RuntimeError('gradcheck failed')
    return elapsed, elapsed_wall


def median_ms(fn, inputs, fast_mode, runs):
    """Medians on the chosen clock and on the wall clock."""
    check_ms(fn, inputs, fast_mode)  # warm-up
    times = [check_ms(fn, inputs, fast_mode) for _ in range(runs)]
    return statistics.median(t for t, _ in times), statistics.median(w for _, w in times)


def parity():
    """The same functions as the gradcheck op files? Outputs and gradients at the caller's inputs."""
    request = json.load(sys.stdin)
    answers = []
    for op in request['ops']:
        fn, shapes = OPS[op['name']]
        inputs = [torch.tensor(values, dtype=torch.float64).reshape(shape).requires_grad_()
                  for values, shape in zip(op['inputs'], shapes)]
        output = fn(*inputs)
        cotangent = torch.tensor(op['cotangent'], dtype=torch.float64).reshape(output.shape)
        gradients = torch.autograd.grad(output, inputs, grad_outputs=cotangent)
        answers.append({
            'name': op['name'],
            'output': output.detach().reshape(-1).tolist(),
            'gradients': [g.reshape(-1).tolist() for g in gradients],
        })
    json.dump({'ops': answers}, sys.stdout)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--once', help='run one default-mode check of this op and exit')
    parser.add_argument('--clock', choices=CLOCKS, default='wall', help='cpu: process CPU time, steadier on a shared machine')
    parser.add_argument('--parity', action='store_true', help='outputs and gradients at inputs read from stdin')
    args = parser.parse_args()
    if args.parity:
        parity()
        return
    global clock
    clock = CLOCKS[args.clock]
    torch.manual_seed(0)
    if args.once:
        names = list(OPS) if args.once == 'all' else [SHORT.get(args.once, args.once)]
        for name in names:
            fn, shapes = OPS[name]
            check_ms(fn, inputs_for(shapes), fast_mode=False)
        return
    ops = []
    for name, (fn, shapes) in OPS.items():
        inputs = inputs_for(shapes)
        default_ms, default_wall_ms = median_ms(fn, inputs, False, args.runs)
        # fast_mode takes a millisecond or so: five times the runs, as the gradcheck side does.
        fast_ms, _ = median_ms(fn, inputs, True, 5 * args.runs)
        ops.append({'name': name, 'defaultMs': default_ms, 'defaultWallMs': default_wall_ms, 'fastMs': fast_ms})
    json.dump({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'ops': ops}, sys.stdout)
    print()


if __name__ == '__main__':
    main()
