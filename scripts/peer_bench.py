#!/usr/bin/env python3
"""peer_bench.py: the same NIN networks in PyTorch, timed the same way as
`go test -bench TrainStep|Inference ./ninlib/fit` (images/s of one SGD step
or one forward pass, float32, same batch), plus the float32 matmul peak of
the machine through torch (OpenBLAS/MKL) as a reference.

Run through scripts/peer-bench.sh, which alternates this with the Go
benchmarks in one invocation. Needs Debian's python3-torch.
"""
import argparse, json, time
import torch
import torch.nn as nn

CIFAR = [[192, 160, 96], [192, 192, 192], [192, 192, 192]]
DIGITS = [[96, 80, 48], [96, 96, 96], [96, 96, 96]]

def nin(widths, width, cin, classes, fc=False, h=32):
    s = lambda n: max(1, round(n * width))
    layers, c = [], cin
    for b, k in enumerate([5, 5, 3]):
        w = widths[b]
        layers += [nn.Conv2d(c, s(w[0]), k, padding=k // 2), nn.ReLU()]
        layers += [nn.Conv2d(s(w[0]), s(w[1]), 1), nn.ReLU()]
        last = classes if (b == 2 and not fc) else s(w[2])
        if b == 2 and fc:
            c = s(w[1])
            break
        layers += [nn.Conv2d(s(w[1]), last, 1), nn.ReLU()]
        c = last
        if b < 2:
            pool = nn.AvgPool2d(3, 2, ceil_mode=True) if b == 1 else nn.MaxPool2d(3, 2, ceil_mode=True)
            layers += [pool, nn.Dropout(0.5)]
    if fc:
        hh = h
        for _ in range(2):
            hh = -(-(hh - 3) // 2) + 1
        layers += [nn.Flatten(), nn.Linear(c * hh * hh, classes)]
    else:
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers)

CONFIGS = {
    "nin": (CIFAR, 1.0, 3, 32, False),
    "nin-w0.5": (CIFAR, 0.5, 3, 32, False),
    "nin-w0.25": (CIFAR, 0.25, 3, 32, False),
    "nin-fc": (CIFAR, 1.0, 3, 32, True),
    "digits": (DIGITS, 1.0, 1, 28, False),
    "digits-w0.5": (DIGITS, 0.5, 1, 28, False),
}

def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()

def bench(name, batch, train, seconds, device):
    widths, width, cin, h, fc = CONFIGS[name]
    m = nin(widths, width, cin, 10, fc, h).to(device)
    x = torch.randn(batch, cin, h, h, device=device)
    y = torch.randint(0, 10, (batch,), device=device)
    opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
    lossf = nn.CrossEntropyLoss()
    def step():
        if train:
            m.train()
            opt.zero_grad()
            lossf(m(x), y).backward()
            opt.step()
        else:
            m.eval()
            with torch.no_grad():
                m(x)
    # Warm-up (allocator, thread pool, kernel caches) for at least 3 steps
    # and 2 seconds: a fresh process runs its first second several times
    # slower, and the Go benchmarks also exclude compilation and 2 steps.
    t0 = time.perf_counter()
    for i in range(1000000):
        step()
        if i >= 2 and time.perf_counter() - t0 >= 2:
            break
    sync(device)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds or n < 3:
        step()
        n += 1
        if n % 10 == 0:
            sync(device)  # keep the GPU's queue short, so the clock measures work done
    sync(device)
    return n * batch / (time.perf_counter() - t0)

def matmul_peak(device, n=2048, reps=10):
    a, b = torch.randn(n, n, device=device), torch.randn(n, n, device=device)
    a @ b
    sync(device)
    t0 = time.perf_counter()
    for _ in range(reps):
        a @ b
    sync(device)
    return 2 * n ** 3 * reps / (time.perf_counter() - t0) / 1e9

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--configs", default="nin,digits")
    ap.add_argument("--batches", default="32")
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--modes", default="train,inference")
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--no-peak", action="store_true", help="skip the 2048x2048 matmul (for peak-memory measurements)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    out = {"torch": torch.__version__, "threads": a.threads, "device": str(device), "results": []}
    if device.type == "cuda":
        out["gpu"] = torch.cuda.get_device_name(device)
        # Framework defaults, recorded: cuDNN convolutions may use TF32 on
        # Ampere and later (as XLA's float32 convolutions and dots may).
        out["cudnn_allow_tf32"] = torch.backends.cudnn.allow_tf32
        out["matmul_allow_tf32"] = torch.backends.cuda.matmul.allow_tf32
    # First, always: besides tracking the machine's speed, a large matmul
    # puts PyTorch in its fastest state (see peer-bench.sh).
    if not a.no_peak:
        out["matmul_2048_gflops"] = round(matmul_peak(device), 1)
    modes = a.modes.split(",")
    for c in a.configs.split(","):
        for b in map(int, a.batches.split(",")):
            for train in [m == "train" for m in modes]:
                out["results"].append({"config": c, "batch": b, "mode": "train" if train else "inference",
                                       "img_per_s": round(bench(c, b, train, a.seconds, device), 2)})
    print(json.dumps(out))
