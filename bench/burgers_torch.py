#!/usr/bin/python3
"""Time one loss-and-gradient evaluation of the Burgers PINN in PyTorch (the reference
point for libpinn's own benchmark).

Problem and network as in Raissi, Perdikaris & Karniadakis (2019), J. Comput. Phys. 378:
u_t + u u_x - (0.01/pi) u_xx = 0 on [-1,1] x [0,1], u(x,0) = -sin(pi x), u(+-1,t) = 0;
network [2, 20 x 8 hidden, 1] with tanh, float64.

One evaluation = forward pass on 10000 collocation points carrying u, u_x, u_t, u_xx
(torch.autograd.grad with create_graph=True) and on 100 boundary/initial points carrying u,
loss = mean(residual^2) + mean((u - g)^2), then loss.backward() for the parameter gradient.

Run with Debian's interpreter (it has python3-torch):
    /usr/bin/python3 bench/burgers_torch.py --threads 1
The last line printed is `s_per_eval=<median seconds>`.

By default the script gives PyTorch two settings that matter on this machine (both printed
on the `tuning=` line; --plain turns them off):
  * OMP_PROC_BIND=true (unless already set): without it, 2 threads ran 2-4x slower than 1;
  * glibc mallopt (fixed mmap threshold 16 MiB, no trimming, 64 MiB top pad): PyTorch frees and
    reallocates its ~60 MB of activations every evaluation, and by default glibc returns that
    memory to the kernel, so every evaluation page-faults it back in.
The `other_cpu=` line reports how busy the machine was with other processes during the timed
loop (fraction of all CPUs, from /proc/stat); numbers taken while it is well above 0 are noisy.
"""
import argparse
import ctypes
import math
import os
import platform
import statistics
import sys
import time

torch = None  # imported in main(), after tune() has set up the environment


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1)")
    p.add_argument("--repeats", type=int, default=20, help="timed evaluations (default 20)")
    p.add_argument("--warmup", type=int, default=3, help="untimed evaluations first (default 3)")
    p.add_argument("--seed", type=int, default=1234, help="seed for points and weights")
    p.add_argument("--plain", action="store_true",
                   help="no OMP_PROC_BIND and no mallopt tuning (PyTorch as it comes)")
    a = p.parse_args()
    if a.threads < 1 or a.repeats < 1 or a.warmup < 0:
        p.error("need --threads >= 1, --repeats >= 1, --warmup >= 0")
    return a


def tune(plain):
    """Environment and allocator settings; must run before torch is imported."""
    if plain:
        return "plain"
    notes = []
    if "OMP_PROC_BIND" not in os.environ:
        os.environ["OMP_PROC_BIND"] = "true"
    notes.append("OMP_PROC_BIND=" + os.environ["OMP_PROC_BIND"])
    try:
        libc = ctypes.CDLL(None)
        m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3
        ok = (libc.mallopt(m_mmap_threshold, 16 << 20) == 1
              and libc.mallopt(m_trim_threshold, 1 << 30) == 1
              and libc.mallopt(m_top_pad, 64 << 20) == 1)
        notes.append("mallopt" if ok else "mallopt-refused")
    except (OSError, AttributeError):
        notes.append("mallopt-unavailable")
    return ",".join(notes)


def cpu_ticks():
    """(busy, total) ticks of all CPUs from /proc/stat, or None."""
    try:
        with open("/proc/stat") as f:
            v = [int(a) for a in f.readline().split()[1:]]
        return v[0] + v[1] + v[2] + v[5] + v[6] + v[7], sum(v[:8])
    except (OSError, ValueError, IndexError):
        return None


def make_net(gen):
    layers = [2] + [20] * 8 + [1]
    mods = []
    for i in range(len(layers) - 1):
        lin = torch.nn.Linear(layers[i], layers[i + 1])
        with torch.no_grad():  # Xavier normal weights, zero biases (Raissi et al.)
            std = math.sqrt(2.0 / (layers[i] + layers[i + 1]))
            lin.weight.copy_(torch.randn(lin.weight.shape, generator=gen) * std)
            lin.bias.zero_()
        mods.append(lin)
        if i < len(layers) - 2:
            mods.append(torch.nn.Tanh())
    return torch.nn.Sequential(*mods)


def make_points(gen):
    n_f = 10000
    xf = torch.rand(n_f, 1, generator=gen) * 2.0 - 1.0
    tf = torch.rand(n_f, 1, generator=gen)
    xt_f = torch.cat([xf, tf], dim=1)
    # 50 initial points on t = 0, 25 boundary points on each of x = -1 and x = 1.
    x0 = torch.rand(50, 1, generator=gen) * 2.0 - 1.0
    tb = torch.rand(50, 1, generator=gen)
    xb = torch.cat([-torch.ones(25, 1), torch.ones(25, 1)], dim=0)
    xt_b = torch.cat([torch.cat([x0, torch.zeros(50, 1)], dim=1), torch.cat([xb, tb], dim=1)], dim=0)
    g_b = torch.cat([-torch.sin(math.pi * x0), torch.zeros(50, 1)], dim=0)
    return xt_f, xt_b, g_b


def loss_and_grad(net, xt_f, xt_b, g_b, nu):
    net.zero_grad(set_to_none=True)
    xt = xt_f.detach().requires_grad_(True)
    u = net(xt)
    du = torch.autograd.grad(u, xt, torch.ones_like(u), create_graph=True)[0]
    u_x, u_t = du[:, 0:1], du[:, 1:2]
    u_xx = torch.autograd.grad(u_x, xt, torch.ones_like(u_x), create_graph=True)[0][:, 0:1]
    r = u_t + u * u_x - nu * u_xx
    ub = net(xt_b)
    loss = torch.mean(r ** 2) + torch.mean((ub - g_b) ** 2)
    loss.backward()
    return loss.detach()


def main():
    global torch
    a = parse_args()
    tuning = tune(a.plain)
    import torch  # after tune(): libgomp reads OMP_PROC_BIND when it is loaded
    torch.set_default_dtype(torch.float64)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError as e:  # only allowed before any inter-op parallel work
        print(f"note: set_num_interop_threads(1) refused: {e}", file=sys.stderr)
    torch.set_num_threads(a.threads)

    gen = torch.Generator().manual_seed(a.seed)
    net = make_net(gen)
    xt_f, xt_b, g_b = make_points(gen)
    nu = 0.01 / math.pi

    for _ in range(a.warmup):
        loss = loss_and_grad(net, xt_f, xt_b, g_b, nu)
    times = []
    ticks0, own0 = cpu_ticks(), time.process_time()
    w0 = time.perf_counter()
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        loss = loss_and_grad(net, xt_f, xt_b, g_b, nu)
        times.append(time.perf_counter() - t0)
    wall, own = time.perf_counter() - w0, time.process_time() - own0
    ticks1 = cpu_ticks()
    other = "unknown"
    if ticks0 is not None and ticks1 is not None and ticks1[1] > ticks0[1]:
        busy, total = ticks1[0] - ticks0[0], ticks1[1] - ticks0[1]
        ncpu = os.cpu_count() or 1
        # own CPU seconds as a fraction of all CPUs' time over the loop
        own_frac = own / (wall * ncpu) if wall > 0 else 0.0
        other = f"{max(0.0, busy / total - own_frac):.2f}"

    gnorm = math.sqrt(sum(float((p.grad ** 2).sum()) for p in net.parameters()))
    nparam = sum(p.numel() for p in net.parameters())
    print(f"torch_version={torch.__version__} python={platform.python_version()}")
    print(f"network=[2,20x8,1] tanh float64 params={nparam} collocation=10000 boundary=100")
    print(f"loss={float(loss):.17g} grad_norm={gnorm:.17g}")
    print(f"tuning={tuning} other_cpu={other}")
    print(f"repeats={a.repeats} warmup={a.warmup} min={min(times):.6f} max={max(times):.6f}")
    print(f"torch_threads={torch.get_num_threads()} interop_threads={torch.get_num_interop_threads()}")
    print(f"s_per_eval={statistics.median(times):.6f}")


if __name__ == "__main__":
    main()
