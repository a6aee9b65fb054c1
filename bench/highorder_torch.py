#!/usr/bin/python3
"""Time one loss-and-gradient evaluation of libpinn's fourth-order problems beam1d and plate2d
in PyTorch (the reference point for `pinn bench beam1d|plate2d`).

The loss is that of libpinn's default configuration of each problem (problems/beam1d.c,
problems/plate2d.c), float64, loss = sum_t w_t mean_t(r^2):

  beam1d   u'''' = 384 on (0,1), clamped.  Network [1, 20, 20, 1] tanh (481 parameters).
           pde: 200 points, r = u_xxxx - 384, weight 1;
           u_end: x = 0 and 1, r = u, weight 100;
           slope_end: x = 0 and 1, r = du/dn (n = -1, +1), weight 100.
  plate2d  Delta^2 w = q on (0,1)^2, simply supported.  Network [2, 30, 30, 30, 1] tanh
           (1981 parameters).
           pde: 2000 points, r = (w_xxxx + 2 w_xxyy + w_yyyy - q) / pi^4, weight 1,
                q = pi^4 (4 sin(pi x) sin(pi y) + 84.5 sin(2 pi x) sin(3 pi y));
           w_edge: 400 boundary points, r = w, weight 100;
           moment_edge: 400 boundary points, r = (w_xx + w_yy) / pi^2, weight 10.

Both networks see their inputs through libpinn's default input normalisation, the fixed map
x' = 2 x - 1 of the domain box (0,1)^d onto [-1,1]^d, in front of the first layer (not a
parameter; derivatives are taken with respect to x, so they pass through it as in libpinn).
Weights are Xavier normal, biases zero, as in libpinn.

One evaluation = the derivatives by nested torch.autograd.grad(create_graph=True) with
grad_outputs of ones over whole batches (one network input per point set), the loss, and
loss.backward() for the parameter gradient.  The biharmonic is computed as the Laplacian of
the Laplacian (6 nested backward passes; spelling out w_xxxx, w_xxyy, w_yyyy needs 8).
--batch joint puts every term's points into one batch (one forward, the derivatives of the
highest order for all of them); --batch split gives the interior term one batch and the
boundary terms another that carries only what they need (the default for plate2d; joint is the
default for beam1d, whose boundary terms have 4 points).  Time both and keep the faster.

Points: by default drawn here (uniform, same counts; the boundary points of plate2d uniform on
the four edges).  --model FILE.h5 instead takes the network, its input map and every term's
training points from a libpinn result file, e.g. of
    build/pinn solve beam1d --adam 1 --iters 0 --no-checkpoint --out beam1d.h5
(one Adam iteration: the file keeps the best point seen, which is the initial network, and
its final_loss is the loss there), so that both sides evaluate the very same loss.

--check (not timed) verifies the derivative code and prints `check=ok` last (exit 1
otherwise): the same functions applied to closed-form u instead of the network, against
their exact fourth derivatives and biharmonic; on the network, u_xxxx and the biharmonic
against central differences of the autograd second derivatives; and, with --model, the total
and per-term loss against the file's (libpinn's), and with --pinn PATH also the pointwise
u, u_x / Laplacian and u_xxxx / biharmonic against `pinn eval --points --derivative ...`.

Run with Debian's interpreter (it has python3-torch; --model needs python3-h5py):
    /usr/bin/python3 bench/highorder_torch.py --problem plate2d --threads 1
The last line printed is `s_per_eval=<median seconds>` (or `check=ok` with --check).
Tuning as bench/burgers_torch.py (OMP_PROC_BIND, mallopt; --plain turns it off).
"""
import argparse
import csv
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

from burgers_torch import cpu_ticks, tune  # bench/ is sys.path[0] when run as a script

torch = None  # imported in main(), after tune() has set up the environment

PI = math.pi

# The default configuration of each problem (problems/beam1d.c, problems/plate2d.c):
# hidden widths, terms in libpinn's order as (name, points, weight).
PROBLEMS = {
    "beam1d": {"dim": 1, "hidden": [20, 20],
               "terms": [("pde", 200, 1.0), ("u_end", 2, 100.0), ("slope_end", 2, 100.0)],
               "batch": "joint"},
    "plate2d": {"dim": 2, "hidden": [30, 30, 30],
                "terms": [("pde", 2000, 1.0), ("w_edge", 400, 100.0),
                          ("moment_edge", 400, 10.0)],
                "batch": "split"},
}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--problem", required=True, choices=sorted(PROBLEMS))
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1)")
    p.add_argument("--repeats", type=int, default=20, help="timed evaluations (default 20)")
    p.add_argument("--warmup", type=int, default=3, help="untimed evaluations first (default 3)")
    p.add_argument("--seed", type=int, default=1234, help="seed for points and weights")
    p.add_argument("--batch", choices=["joint", "split"],
                   help="one batch for all points, or interior and boundary apart "
                        "(default: joint for beam1d, split for plate2d)")
    p.add_argument("--model", metavar="FILE.h5",
                   help="network and points from a libpinn result file (needs h5py)")
    p.add_argument("--check", action="store_true",
                   help="verify the derivatives (and, with --model, the loss); no timing")
    p.add_argument("--pinn", metavar="PATH",
                   help="with --check --model: also compare pointwise with `PATH eval`")
    p.add_argument("--plain", action="store_true",
                   help="no OMP_PROC_BIND and no mallopt tuning (PyTorch as it comes)")
    a = p.parse_args()
    if a.threads < 1 or a.repeats < 1 or a.warmup < 0:
        p.error("need --threads >= 1, --repeats >= 1, --warmup >= 0")
    if a.pinn and not (a.check and a.model):
        p.error("--pinn goes with --check --model")
    if a.batch is None:
        a.batch = PROBLEMS[a.problem]["batch"]
    return a


# ---------------------------------------------------------------- network

class Net:
    """tanh MLP with libpinn's fixed input map x' = (x - c) s in front of the first layer."""

    def __init__(self, sizes, lo, hi):
        self.sizes = list(sizes)
        self.layers = [torch.nn.Linear(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1)]
        lo, hi = torch.tensor(lo), torch.tensor(hi)
        self.scale = 2.0 / (hi - lo)
        self.shift = -0.5 * (lo + hi) * self.scale  # x' = x s + shift

    def parameters(self):
        return [p for lin in self.layers for p in (lin.weight, lin.bias)]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = None

    def xavier_(self, gen):
        with torch.no_grad():  # as pinn_mlp_init(PINN_INIT_XAVIER): N(0, 2/(fin+fout)), b = 0
            for lin in self.layers:
                fout, fin = lin.weight.shape
                lin.weight.copy_(torch.randn(lin.weight.shape, generator=gen)
                                 * math.sqrt(2.0 / (fin + fout)))
                lin.bias.zero_()

    def load_theta_(self, theta):
        """libpinn's parameter block: per layer W (row-major, out x in) then b."""
        theta = torch.as_tensor(theta)
        k = 0
        with torch.no_grad():
            for lin in self.layers:
                for p in (lin.weight, lin.bias):
                    p.copy_(theta[k:k + p.numel()].reshape(p.shape))
                    k += p.numel()
        if k != theta.numel():
            raise ValueError(f"theta has {theta.numel()} entries, the network {k}")

    def __call__(self, x):
        a = torch.addcmul(self.shift, x, self.scale)
        for lin in self.layers[:-1]:
            a = torch.tanh(lin(a))
        return self.layers[-1](a)


def grad1(y, x, ones):
    return torch.autograd.grad(y, x, ones, create_graph=True)[0]


# ------------------------------------------------ derivatives (any u = f(x))

def beam_derivs(f, x, order):
    """u, u_x and (order 4) u_xxxx of f at x (n x 1), all points in one batch."""
    x = x.detach().requires_grad_(True)
    u = f(x)
    ones = torch.ones_like(u)
    u1 = grad1(u, x, ones)
    if order < 4:
        return u, u1, None
    u2 = grad1(u1, x, ones)
    u3 = grad1(u2, x, ones)
    return u, u1, grad1(u3, x, ones)


def plate_derivs(f, x, order):
    """u, Delta u and (order 4) Delta^2 u = u_xxxx + 2 u_xxyy + u_yyyy of f at x (n x 2)."""
    x = x.detach().requires_grad_(True)
    u = f(x)
    ones = torch.ones_like(u)
    g = grad1(u, x, ones)
    lap = grad1(g[:, 0:1], x, ones)[:, 0:1] + grad1(g[:, 1:2], x, ones)[:, 1:2]
    if order < 4:
        return u, lap, None
    gl = grad1(lap, x, ones)
    bih = grad1(gl[:, 0:1], x, ones)[:, 0:1] + grad1(gl[:, 1:2], x, ones)[:, 1:2]
    return u, lap, bih


# ---------------------------------------------------------------- the loss

def plate_load(x):
    return PI ** 4 * (4.0 * torch.sin(PI * x[:, 0:1]) * torch.sin(PI * x[:, 1:2])
                      + 84.5 * torch.sin(2.0 * PI * x[:, 0:1]) * torch.sin(3.0 * PI * x[:, 1:2]))


class Loss:
    """libpinn's loss of the problem on fixed points: sum_t w_t mean(r_t^2)."""

    def __init__(self, problem, pts, batch):
        spec = PROBLEMS[problem]
        names = [nm for nm, _, _ in spec["terms"]]
        self.problem = problem
        self.w = [w for _, _, w in spec["terms"]]
        self.n = [pts[nm].shape[0] for nm in names]
        if batch == "joint":  # every term's points in one batch
            self.x_int, self.x_bnd = torch.cat([pts[nm] for nm in names], dim=0), None
        else:  # the interior apart from both boundary terms
            self.x_int, self.x_bnd = pts[names[0]], torch.cat([pts[nm] for nm in names[1:]], dim=0)
        if problem == "beam1d":
            self.q = 384.0
            self.normals = beam_normals(pts["slope_end"])
        else:
            self.q = plate_load(pts["pde"])  # fixed points: once, not per evaluation

    def terms(self, net):
        """[L_pde, L_dirichlet, L_third] as 0-d tensors (with graph)."""
        nf, nd = self.n[0], self.n[1]
        if self.problem == "beam1d":
            u, u1, u4 = beam_derivs(net, self.x_int, 4)
            if self.x_bnd is not None:
                u, u1, _ = beam_derivs(net, self.x_bnd, 1)
                off = 0
            else:
                off = nf
            r0 = u4[:nf] - self.q
            r1 = u[off:off + nd]
            r2 = self.normals * u1[off + nd:]
        else:
            u, lap, bih = plate_derivs(net, self.x_int, 4)
            if self.x_bnd is not None:
                u, lap, _ = plate_derivs(net, self.x_bnd, 2)
                off = 0
            else:
                off = nf
            r0 = (bih[:nf] - self.q) * (1.0 / PI ** 4)
            r1 = u[off:off + nd]
            r2 = lap[off + nd:] * (1.0 / PI ** 2)
        return [torch.mean(r0 ** 2), torch.mean(r1 ** 2), torch.mean(r2 ** 2)]

    def loss_and_grad(self, net):
        net.zero_grad()
        t = self.terms(net)
        loss = self.w[0] * t[0] + self.w[1] * t[1] + self.w[2] * t[2]
        loss.backward()
        return loss.detach()


# ------------------------------------------------- network and points

def make_default(problem, gen):
    """Xavier network and uniformly drawn points of the default counts."""
    spec = PROBLEMS[problem]
    d = spec["dim"]
    net = Net([d] + spec["hidden"] + [1], [0.0] * d, [1.0] * d)
    net.xavier_(gen)
    (_, n_pde, _), (_, n_d, _), (_, n_3, _) = spec["terms"]
    pts = {"pde": torch.rand(n_pde, d, generator=gen)}
    if problem == "beam1d":
        ends = torch.tensor([[0.0], [1.0]])
        pts["u_end"], pts["slope_end"] = ends.clone(), ends.clone()
    else:
        for name, n in (("w_edge", n_d), ("moment_edge", n_3)):
            s = torch.rand(n, 1, generator=gen)
            side = torch.randint(0, 4, (n, 1), generator=gen)
            z, o = torch.zeros_like(s), torch.ones_like(s)
            xs = torch.where(side == 0, z, torch.where(side == 1, o, s))
            ys = torch.where(side == 2, z, torch.where(side == 3, o, s))
            pts[name] = torch.cat([xs, ys], dim=1)
    return net, pts


def load_model(problem, path):
    """Network, input map, points and libpinn's losses from a `pinn solve` result file."""
    import h5py
    import numpy as np

    def text(v):
        return v.decode() if isinstance(v, bytes) else str(v)

    with h5py.File(path, "r") as f:
        m = f["model"].attrs
        got = text(m["problem"])
        if got != problem:
            sys.exit(f"highorder_torch: {path} is a {got} model, not {problem}")
        if problem == "beam1d" and "= 384 " not in text(f.attrs.get("description", "")):
            sys.exit(f"highorder_torch: {path}: only the default load (uniform, q = 384)")
        if set(text(m["activations"]).split(",")) != {"tanh"}:
            sys.exit(f"highorder_torch: {path}: activations {text(m['activations'])}, not tanh")
        if text(m["output_transform"]) != "none":
            sys.exit(f"highorder_torch: {path}: has an output transform")
        sizes = [int(s) for s in f["model/sizes"][:]]
        d = sizes[0]
        if "input_map_lo" in m:
            lo, hi = [float(v) for v in m["input_map_lo"]], [float(v) for v in m["input_map_hi"]]
        else:  # no map: x' = x
            lo, hi = [-1.0] * d, [1.0] * d
        net = Net(sizes, lo, hi)
        net.load_theta_(np.asarray(f["model/theta"][:]))
        names = [nm for nm, _, _ in PROBLEMS[problem]["terms"]]
        pts = {nm: torch.from_numpy(np.asarray(f["points/" + nm][:], dtype=np.float64))
               for nm in names}
        ref = {"final_loss": float(f.attrs["final_loss"]),
               "iterations": int(f.attrs["iterations"]),
               "terms": [float(f["history/" + nm][-1]) for nm in names]}
    return net, pts, ref


def beam_normals(x):
    """Outward normals of (0, 1) at its ends: -1 at 0, +1 at 1."""
    return torch.where(x < 0.5, -torch.ones_like(x), torch.ones_like(x))


# ---------------------------------------------------------------- --check

def rel_err(a, b):
    """max |a - b| / max |b| (b the reference)."""
    a, b = torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64)
    return float((a - b).abs().max() / b.abs().max().clamp_min(1e-300))


class Checker:
    def __init__(self):
        self.failed = 0

    def __call__(self, what, err, tol):
        ok = err <= tol
        self.failed += not ok
        print(f"check {what}: err={err:.3e} tol={tol:.0e} {'ok' if ok else 'FAILED'}")


def exact_solution(problem):
    """libpinn's exact solution of the default problem, as a function of x (n x d)."""
    if problem == "beam1d":
        return lambda x: 16.0 * (x * (1.0 - x)) ** 2
    return lambda x: (torch.sin(PI * x[:, 0:1]) * torch.sin(PI * x[:, 1:2])
                      + 0.5 * torch.sin(2.0 * PI * x[:, 0:1]) * torch.sin(3.0 * PI * x[:, 1:2]))


def check_closed_form(problem, pts, batch, chk):
    """The derivative code on closed-form functions, and the loss at the exact solution."""
    if problem == "beam1d":
        x = torch.linspace(0.0, 1.0, 41).reshape(-1, 1)
        u, u1, u4 = beam_derivs(lambda z: torch.sin(3.0 * z) + z ** 5, x, 4)
        chk("closed_form_u_x (sin(3x) + x^5)",
            rel_err(u1, 3.0 * torch.cos(3.0 * x) + 5.0 * x ** 4), 1e-13)
        chk("closed_form_u_xxxx (sin(3x) + x^5)",
            rel_err(u4, 81.0 * torch.sin(3.0 * x) + 120.0 * x), 1e-13)
    else:
        g = torch.linspace(0.0, 1.0, 11)
        x = torch.cartesian_prod(g, g)
        s = lambda z: torch.sin(2.0 * z[:, 0:1]) * torch.cos(3.0 * z[:, 1:2])
        X, Y = x[:, 0:1], x[:, 1:2]
        u, lap, bih = plate_derivs(lambda z: s(z) + z[:, 0:1] ** 4 * z[:, 1:2] ** 2, x, 4)
        chk("closed_form_laplacian (sin(2x) cos(3y) + x^4 y^2)",
            rel_err(lap, -13.0 * s(x) + 12.0 * X ** 2 * Y ** 2 + 2.0 * X ** 4), 1e-13)
        chk("closed_form_biharmonic (sin(2x) cos(3y) + x^4 y^2)",
            rel_err(bih, 169.0 * s(x) + 24.0 * Y ** 2 + 48.0 * X ** 2), 1e-13)
    # every term vanishes at the exact solution: its residuals are rounding only
    t = Loss(problem, pts, batch).terms(exact_solution(problem))
    scale = [384.0 ** 2, 1.0, 1.0] if problem == "beam1d" else [1.0, 1.0, 1.0]
    for (name, _, _), v, sc in zip(PROBLEMS[problem]["terms"], t, scale):
        chk(f"loss_term_at_exact_solution {name} (L/scale)", float(v) / sc, 1e-24)


def check_network_fd(problem, net, chk):
    """The fourth derivatives of the network against Richardson-extrapolated central
    differences (steps h and 2h) of its autograd second derivatives."""
    h = 1e-3
    if problem == "beam1d":
        x = torch.linspace(0.05, 0.95, 19).reshape(-1, 1)
        def d2(z):  # autograd u_xx
            z = z.detach().requires_grad_(True)
            u = net(z)
            ones = torch.ones_like(u)
            return grad1(grad1(u, z, ones), z, ones).detach()

        def second(step):
            return (d2(x - step) - 2.0 * d2(x) + d2(x + step)) / step ** 2
        fd = (4.0 * second(h) - second(2.0 * h)) / 3.0
        chk("network_u_xxxx vs differences of u_xx",
            rel_err(beam_derivs(net, x, 4)[2].detach(), fd), 1e-6)
    else:
        g = torch.linspace(0.05, 0.95, 7)
        x = torch.cartesian_prod(g, g)
        lap = lambda z: plate_derivs(net, z, 2)[1].detach()
        ex, ey = torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 1.0]])
        def five(step):
            return (lap(x + step * ex) + lap(x - step * ex) + lap(x + step * ey)
                    + lap(x - step * ey) - 4.0 * lap(x)) / step ** 2
        fd = (4.0 * five(h) - five(2.0 * h)) / 3.0
        chk("network_biharmonic vs 5-point Laplacian of the Laplacian",
            rel_err(plate_derivs(net, x, 4)[2].detach(), fd), 1e-6)
        u = lambda z: net(z).detach()
        fd_lap = lambda st: (u(x + st * ex) + u(x - st * ex) + u(x + st * ey) + u(x - st * ey)
                             - 4.0 * u(x)) / st ** 2
        chk("network_laplacian vs 5-point differences of u",
            rel_err(lap(x), (4.0 * fd_lap(h) - fd_lap(2.0 * h)) / 3.0), 1e-6)


def check_against_file(problem, loss, net, ref, chk):
    t = [float(v) for v in loss.terms(net)]
    total = sum(w * v for w, v in zip(loss.w, t))
    print(f"loss_torch={total:.17g} loss_libpinn={ref['final_loss']:.17g}")
    chk("loss vs the file's final_loss (libpinn)",
        abs(total - ref["final_loss"]) / abs(ref["final_loss"]), 1e-10)
    if ref["iterations"] == 1:  # the history's one entry is at the saved (initial) network
        for (name, _, _), v, r in zip(PROBLEMS[problem]["terms"], t, ref["terms"]):
            print(f"term {name}: torch={v:.17g} libpinn={r:.17g}")
            chk(f"term {name} vs the file's history", abs(v - r) / max(abs(r), 1e-300), 1e-10)
    else:
        print("note: the file's run had more than one iteration; per-term losses not compared")


def check_against_eval(problem, pinn, path, pts, net, chk):
    """Pointwise: `pinn eval --points` on every training point against torch."""
    x = torch.cat([pts[nm] for nm, _, _ in PROBLEMS[problem]["terms"]], dim=0)
    if problem == "beam1d":
        cols, derivs = ["x"], ["--derivatives", "--derivative", "xxxx"]
    else:
        cols, derivs = ["x", "y"], ["--derivatives", "--derivative", "xxxx",
                                    "--derivative", "xxyy", "--derivative", "yyyy"]
    with tempfile.TemporaryDirectory() as tmp:
        inp = os.path.join(tmp, "points.csv")
        with open(inp, "w") as f:
            f.write(",".join(cols) + "\n")
            for row in x.tolist():
                f.write(",".join(repr(v) for v in row) + "\n")
        out = subprocess.run([pinn, "eval", path, "--points", inp] + derivs, check=True,
                             capture_output=True, text=True).stdout
    rows = list(csv.DictReader(out.splitlines()))
    col = lambda name: torch.tensor([float(r[name]) for r in rows]).reshape(-1, 1)
    if problem == "beam1d":
        u, u1, u4 = (v.detach() for v in beam_derivs(net, x, 4))
        chk("pinn_eval u", rel_err(u, col("u")), 1e-12)
        chk("pinn_eval u_x", rel_err(u1, col("u_x")), 1e-12)
        chk("pinn_eval u_xxxx", rel_err(u4, col("u_xxxx")), 1e-10)
    else:
        u, lap, bih = (v.detach() for v in plate_derivs(net, x, 4))
        chk("pinn_eval u", rel_err(u, col("u")), 1e-12)
        chk("pinn_eval u_xx + u_yy", rel_err(lap, col("u_xx") + col("u_yy")), 1e-11)
        chk("pinn_eval u_xxxx + 2 u_xxyy + u_yyyy",
            rel_err(bih, col("u_xxxx") + 2.0 * col("u_xxyy") + col("u_yyyy")), 1e-10)


# ---------------------------------------------------------------- main

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
    if a.model:
        net, pts, ref = load_model(a.problem, a.model)
    else:
        net, pts = make_default(a.problem, gen)
        ref = None
    loss = Loss(a.problem, pts, a.batch)

    if a.check:
        chk = Checker()
        check_closed_form(a.problem, pts, a.batch, chk)
        check_network_fd(a.problem, net, chk)
        other = "split" if a.batch == "joint" else "joint"
        t0 = [float(v) for v in loss.terms(net)]
        t1 = [float(v) for v in Loss(a.problem, pts, other).terms(net)]
        chk(f"batch {a.batch} vs {other} (terms)", rel_err(t0, t1), 1e-12)
        if ref is not None:
            check_against_file(a.problem, loss, net, ref, chk)
            if a.pinn:
                check_against_eval(a.problem, a.pinn, a.model, pts, net, chk)
        print(f"check={'ok' if not chk.failed else 'FAILED'}")
        sys.exit(1 if chk.failed else 0)

    for _ in range(a.warmup):
        f = loss.loss_and_grad(net)
    times = []
    ticks0, own0 = cpu_ticks(), time.process_time()
    w0 = time.perf_counter()
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        f = loss.loss_and_grad(net)
        times.append(time.perf_counter() - t0)
    wall, own = time.perf_counter() - w0, time.process_time() - own0
    ticks1 = cpu_ticks()
    other = "unknown"
    if ticks0 is not None and ticks1 is not None and ticks1[1] > ticks0[1]:
        busy, total = ticks1[0] - ticks0[0], ticks1[1] - ticks0[1]
        ncpu = os.cpu_count() or 1
        own_frac = own / (wall * ncpu) if wall > 0 else 0.0
        other = f"{max(0.0, busy / total - own_frac):.2f}"

    gnorm = math.sqrt(sum(float((p.grad ** 2).sum()) for p in net.parameters()))
    nparam = sum(p.numel() for p in net.parameters())
    counts = " ".join(f"{nm}={pts[nm].shape[0]}" for nm, _, _ in PROBLEMS[a.problem]["terms"])
    print(f"torch_version={torch.__version__} python={platform.python_version()}")
    print(f"problem={a.problem} network={net.sizes} tanh float64 params={nparam} {counts} "
          f"batch={a.batch} points_from={a.model or 'drawn'}")
    print(f"loss={float(f):.17g} grad_norm={gnorm:.17g}"
          + (f" loss_libpinn={ref['final_loss']:.17g}" if ref else ""))
    print(f"tuning={tuning} other_cpu={other}")
    print(f"repeats={a.repeats} warmup={a.warmup} min={min(times):.6g} max={max(times):.6g}")
    print(f"torch_threads={torch.get_num_threads()} "
          f"interop_threads={torch.get_num_interop_threads()}")
    print(f"s_per_eval={statistics.median(times):.6g}")


if __name__ == "__main__":
    main()
