"""Check that ParaView 5.11 opens libpinn solve files (.xmf sidecars) with the
same data as the .h5 files.

Usage (no display needed: reading only):
    timeout -s KILL 600 pvpython tests/paraview_solve_check.py DIR [--generate TEST_OUTPUT]

DIR holds the solve files that tests/test_output.c leaves behind when run with
PINN_OUTPUT_EXAMPLES=DIR (with --generate the script runs that binary first):
line (1-D), plane (2-D), heat (x-t), heatref (x-t on a non-uniform reference
grid), heatrefpts (the same with scattered reference points: their point set
"reference_points" with u, u_ref, u_error), obstacle (1-D with psi/contact), disc (2-D ball), discheat (a disc x
time), ball3 (3-D ball), csg (a square minus a disk) and seg (a 1-D ball).  On a domain that is not a box the solution grid
is the mesh of the grid cells with every corner inside (/solution/mask): its
points are the nodes those cells use, recomputed here from the mask, and
the ranges are taken over them.

Every .xmf (and *_spacetime.xmf) is opened by absolute path with both readers
ParaView 5.11 offers: "Xdmf3ReaderS" (OpenDataFile's choice) and the legacy
"XDMFReader".  Expected values come from the .h5 read with h5py: for every
grid of the document (the solution grid, each training point set, the
space-time grid) the number of points, the bounds (solution grid), the
point-data arrays and their ranges (NaN left out, as ParaView does), and for
time-dependent files the time values, with the ranges checked at every time
step.  Exit status 0 when everything matches.
"""
import os
import sys

import h5py
import numpy as np
from paraview.simple import Delete
from paraview_common import READERS, check_open_data_file, close, folder, leaves, report

FILES = ["line", "plane", "heat", "heatref", "heatrefpts", "obstacle", "disc", "discheat", "ball3",
         "csg", "seg"]


def rng(v):
    v = np.asarray(v, dtype=float).ravel()
    v = v[~np.isnan(v)]
    return (float(v.min()), float(v.max()))


def attr_str(f, name):
    v = f.attrs[name]
    return v.decode() if isinstance(v, bytes) else str(v)


def inside_nodes(f, d, timed):
    """Flat ids (x fastest) of the space-grid nodes the sidecar mesh uses:
    the corners of the cells whose corners are all inside; None for a box."""
    if "mask" not in f["solution"] or d < 2:
        return None
    m = f["solution"]["mask"][()] > 0.5
    if timed:
        m = np.all(m, axis=0)
    sl = [slice(None, -1), slice(1, None)]
    cells = np.ones(tuple(s - 1 for s in m.shape), dtype=bool)
    corners = [tuple(sl[(c >> a) & 1] for a in range(d)) for c in range(2 ** d)]
    for c in corners:
        cells &= m[c]
    used = np.zeros_like(m)
    for c in corners:
        used[c] |= cells
    return np.flatnonzero(used.ravel())


def expected(h5path, spacetime):
    """Per grid: (npoints, {array: [range per step]}, bounds or None); times."""
    with h5py.File(h5path, "r") as f:
        d = int(f.attrs["space_dim"])
        timed = bool(f.attrs["has_time"])
        names = [n for n in f["solution"].keys()]
        axes = [f["grid"][a][()] for a in "xyz"[:d]]
        t = f["grid"]["t"][()] if timed else None
        grids = []
        ns = int(np.prod([len(a) for a in axes]))
        bounds = [0.0] * 6
        for i, a in enumerate(axes):
            bounds[2 * i], bounds[2 * i + 1] = float(a[0]), float(a[-1])
        used = None if spacetime else inside_nodes(f, d, timed)
        if used is not None:  # the mesh of the inside: its nodes only
            ns = len(used)
            ids = np.unravel_index(used, tuple(len(a) for a in axes[::-1]))[::-1]
            for i, a in enumerate(axes):
                bounds[2 * i], bounds[2 * i + 1] = float(a[ids[i]].min()), float(a[ids[i]].max())

            def at(v):
                return v.ravel()[used]
        else:
            def at(v):
                return v
        if spacetime:
            bounds[2 * d], bounds[2 * d + 1] = float(t[0]), float(t[-1])
            arrays = {n: [rng(f["solution"][n][()])] for n in names}
            grids.append(("spacetime", ns * len(t), arrays, tuple(bounds)))
        elif timed:
            arrays = {n: [rng(at(f["solution"][n][k])) for k in range(len(t))] for n in names}
            grids.append(("solution", ns, arrays, tuple(bounds)))
        else:
            arrays = {n: [rng(at(f["solution"][n][()]))] for n in names}
            grids.append(("solution", ns, arrays, tuple(bounds)))
        terms = attr_str(f, "terms").split(",")
        for term in terms:
            npts = f["points"][term].shape[0]
            if npts == 0:
                continue
            arrays = {}
            grp = f["xdmf"]["points"][term]
            for k in grp.keys():
                if k.endswith("_residual") or k == "t":
                    arrays[k] = [rng(grp[k][()])] * (1 if spacetime or not timed else len(t))
            grids.append(("points_" + term, npts, arrays, None))
        if "reference_points" in f:  # the point set of the reference points
            npts = f["reference_points"]["points"].shape[0]
            grp = f["xdmf"]["reference_points"]
            arrays = {k: [rng(grp[k][()])] * (1 if spacetime or not timed else len(t))
                      for k in grp.keys() if k not in ("xyz", "conn", "steps")}
            grids.append(("reference_points", npts, arrays, None))
        steps = [] if (spacetime or not timed) else [float(x) for x in t]
    return grids, steps


def arrays_of(ds):
    pd = ds.GetPointData()
    return {pd.GetArrayName(j): pd.GetArray(j).GetRange() for j in range(pd.GetNumberOfArrays())}


def check_step(reader, grids, step, where, fails):
    """Match every expected grid to one leaf of the reader's output (by point
    count and array names: the Xdmf3 reader drops block names) and compare."""
    data = reader.GetClientSideObject().GetOutputDataObject(0)
    pool = leaves(data)
    for name, npts, arrays, bounds in grids:
        want_names = sorted(arrays)
        match = None
        for ds in pool:
            if ds.GetNumberOfPoints() == npts and sorted(arrays_of(ds)) == want_names:
                match = ds
                break
        if match is None:
            fails.append("%s: grid %s (%d points, arrays %s) not found; have %s" % (
                where, name, npts, want_names,
                [(ds.GetNumberOfPoints(), sorted(arrays_of(ds))) for ds in pool]))
            continue
        pool.remove(match)
        got = arrays_of(match)
        for a, per_step in arrays.items():
            lo, hi = per_step[step]
            if not (close(got[a][0], lo) and close(got[a][1], hi)):
                fails.append("%s: %s.%s range %s, h5 has (%.17g, %.17g)" % (
                    where, name, a, got[a], lo, hi))
        if bounds is not None:
            b = match.GetBounds()
            if not all(close(b[i], bounds[i]) for i in range(6)):
                fails.append("%s: %s bounds %s, want %s" % (where, name, b, bounds))
    if pool:
        fails.append("%s: %d unexpected datasets" % (where, len(pool)))


def check_doc(xmf, h5, spacetime, fails):
    grids, steps = expected(h5, spacetime)
    for rname, make in READERS.items():
        where = "%s [%s]" % (os.path.basename(xmf), rname)
        try:
            reader = make(xmf)
            times = [float(x) for x in (reader.TimestepValues or [])]
            if len(times) != len(steps) or not all(close(a, b) for a, b in zip(times, steps)):
                fails.append("%s: time steps %s, want %s" % (where, times, steps))
            if steps:
                for k, t in enumerate(steps):
                    reader.UpdatePipeline(t)
                    check_step(reader, grids, k, "%s t=%g" % (where, t), fails)
            else:
                reader.UpdatePipeline()
                check_step(reader, grids, 0, where, fails)
            print("%-26s %-13s %d grids, %s" % (
                os.path.basename(xmf), rname, len(grids),
                ("%d time steps" % len(steps)) if steps else "static"))
            Delete(reader)
        except Exception as exc:  # a reader error is a failure, not a crash
            fails.append("%s: %s" % (where, exc))


def main(argv):
    root = folder(argv, "PINN_OUTPUT_EXAMPLES", __doc__)
    if root is None:
        return 2
    fails = []
    for name in FILES:
        h5 = os.path.join(root, name + ".h5")
        xmf = os.path.join(root, name + ".xmf")
        if not (os.path.exists(h5) and os.path.exists(xmf)):
            fails.append("%s: missing (run test_output with PINN_OUTPUT_EXAMPLES=%s)" % (name, root))
            continue
        check_doc(xmf, h5, False, fails)
        st = os.path.join(root, name + "_spacetime.xmf")
        if os.path.exists(st):
            check_doc(st, h5, True, fails)
        elif name in ("heat", "heatref"):
            fails.append("%s: the space-time sidecar is missing" % name)
    check_open_data_file(root, "phi", fails)
    return report(fails, "all solve files match their .h5 in both readers")

if __name__ == "__main__":
    sys.exit(main(sys.argv))
