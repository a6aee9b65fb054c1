"""Check that ParaView 5.11 opens libpinn's XDMF sidecars with the right data.

Usage (no display needed: reading only):
    timeout -s KILL 300 pvpython tests/paraview_check.py DIR [--generate TEST_XDMF]

DIR holds the example files that tests/test_xdmf.c leaves behind when run with
PINN_XDMF_EXAMPLES=DIR; with --generate the script runs that test binary first.
Every document is opened by absolute path (the Xdmf3 reader mis-resolves
relative .h5 paths when an .xmf is opened by a bare name) with both readers
ParaView 5.11 offers for .xmf: "Xdmf3ReaderS" (OpenDataFile's choice) and the
legacy "XDMFReader" (Xdmf2).  For each it checks the number of points and
cells, the bounds, the point-data arrays and their ranges, the time steps
(range per step) and, for static data, values probed at given coordinates
(which pins the axis order).  Exit status 0 when everything matches.
"""
import os
import sys

from paraview.simple import Delete
from paraview_common import READERS, check_open_data_file, close, folder, leaves, report

# name: expected results.  bounds are (xmin, xmax, ymin, ymax, zmin, zmax);
# arrays map name -> (min, max) for static data; steps map time -> arrays;
# probes are ((x, y, z), array, value).
EXPECT = {
    "line.xmf": dict(points=11, cells=10, bounds=(0, 1, 0, 0, 0, 0),
                     arrays={"u": (0.0, 1.0)},
                     probes=[((0.5, 0, 0), "u", 0.25), ((0.1, 0, 0), "u", 0.01)]),
    "plane.xmf": dict(points=20, cells=12, bounds=(-1, 1, 2, 2.75, 0, 0),
                      arrays={"u": (0.0, 34.0)},
                      probes=[((1, 2, 0), "u", 4.0), ((-1, 2.75, 0), "u", 30.0),
                              ((0, 2.25, 0), "u", 12.0)]),
    "volume.xmf": dict(points=24, cells=6, bounds=(0, 3, 0, 4, 0, 3),
                       arrays={"u": (0.0, 123.0)},
                       probes=[((3, 4, 3), "u", 123.0), ((1, 0, 0), "u", 1.0),
                               ((0, 2, 0), "u", 10.0), ((0, 0, 3), "u", 100.0)]),
    "rect.xmf": dict(points=20, cells=12, bounds=(0, 10, 0, 2.5, 0, 0),
                     arrays={"xy": (0.0, 25.0)},
                     probes=[((6, 2, 0), "xy", 12.0), ((3, 0.5, 0), "xy", 1.5)]),
    "series.xmf": dict(points=20, cells=12, bounds=(0, 1, 0, 1.5, 0, 0),
                       steps={0.0: {"u": (0.0, 34.0)}, 0.5: {"u": (100.0, 134.0)},
                              1.0: {"u": (200.0, 234.0)}}),
    "cloud3.xmf": dict(points=6, cells=6, bounds=(0, 5, 0, 10, -5, 0),
                       arrays={"u": (0.0, 50.0)},
                       probes=[((2, 4, -2), "u", 20.0), ((5, 10, -5), "u", 50.0)]),
    "view/cloud2.xmf": dict(points=5, cells=5, zflat=True,
                            steps={1.0: {"v": (-2.0, 2.0)}, 2.0: {"v": (-4.0, 4.0)}}),
    "quads.xmf": dict(points=8, cells=3, bounds=(0, 2, 0, 2, 0, 0),
                      arrays={"u": (0.0, 21.0)},
                      probes=[((1, 2, 0), "u", 21.0), ((2, 1, 0), "u", 12.0),
                              ((0, 0, 0), "u", 0.0)]),
    "hexes.xmf": dict(points=12, cells=2, bounds=(0, 2, 0, 1, 0, 1),
                      steps={0.0: {"v": (0.0, 112.0)}, 1.0: {"v": (1000.0, 1112.0)}}),
    "data/combined.xmf": dict(points=23, cells=15, bounds=(-1, 1, 2, 2.75, 0, 0),
                              arrays={"u": (0.0, 34.0), "residual": (5e-4, 2e-3)}),
}

def ranges(reader):
    pd = reader.PointData
    return {k: tuple(pd[k].GetRange()) for k in pd.keys()}


def check_arrays(got, want, where, fails):
    for name, (lo, hi) in want.items():
        if name not in got:
            fails.append("%s: array %r missing (have %s)" % (where, name, sorted(got)))
        elif not (close(got[name][0], lo) and close(got[name][1], hi)):
            fails.append("%s: %s range %s, want (%g, %g)" % (where, name, got[name], lo, hi))


def probe(reader, xyz, array):
    # The reader's own output (builtin session).  servermanager.Fetch is not
    # used: in ParaView 5.11 it returns a vtkRectilinearGrid with garbage
    # coordinate arrays.
    data = reader.GetClientSideObject().GetOutputDataObject(0)
    for ds in leaves(data):
        arr = ds.GetPointData().GetArray(array)
        if arr is None or ds.GetNumberOfPoints() == 0:
            continue
        pid = ds.FindPoint(xyz)
        if pid < 0:
            continue
        p = ds.GetPoint(pid)
        if max(abs(p[i] - xyz[i]) for i in range(3)) < 1e-9:
            return arr.GetValue(pid)
    return None


def check(path, rname, want, fails):
    where = "%s [%s]" % (os.path.basename(os.path.dirname(path)) + "/" + os.path.basename(path),
                         rname)
    reader = READERS[rname](path)
    times = list(reader.TimestepValues or [])
    steps = want.get("steps")
    first_t = times[0] if times else None
    reader.UpdatePipeline(first_t) if first_t is not None else reader.UpdatePipeline()
    info = reader.GetDataInformation()
    npts, ncells = info.GetNumberOfPoints(), info.GetNumberOfCells()
    if npts != want["points"] or ncells != want["cells"]:
        fails.append("%s: %d points / %d cells, want %d / %d"
                     % (where, npts, ncells, want["points"], want["cells"]))
    b = info.GetBounds()
    if "bounds" in want and not all(close(b[i], want["bounds"][i]) for i in range(6)):
        fails.append("%s: bounds %s, want %s" % (where, tuple(b), want["bounds"]))
    if want.get("zflat") and not (close(b[4], 0) and close(b[5], 0)):
        fails.append("%s: 2-D points should have z = 0, bounds %s" % (where, tuple(b)))
    if steps:
        want_t = sorted(steps)
        if len(times) != len(want_t) or not all(close(a, c) for a, c in zip(times, want_t)):
            fails.append("%s: time steps %s, want %s" % (where, times, want_t))
        for t in want_t:
            reader.UpdatePipeline(t)
            check_arrays(ranges(reader), steps[t], "%s t=%g" % (where, t), fails)
    else:
        if times:
            fails.append("%s: unexpected time steps %s" % (where, times))
        check_arrays(ranges(reader), want["arrays"], where, fails)
        for xyz, array, value in want.get("probes", []):
            got = probe(reader, xyz, array)
            if got is None or not close(got, value):
                fails.append("%s: %s at %s = %s, want %g" % (where, array, xyz, got, value))
    summary = "%-24s %-13s %3d pts %3d cells, %s" % (
        os.path.relpath(path, ROOT), rname, npts, ncells,
        ("%d steps" % len(times)) if times else ", ".join(
            "%s %s" % (k, v) for k, v in sorted(ranges(reader).items())))
    print(summary)
    Delete(reader)


def main(argv):
    global ROOT
    ROOT = folder(argv, "PINN_XDMF_EXAMPLES", __doc__)
    if ROOT is None:
        return 2
    fails = []
    for name, want in EXPECT.items():
        path = os.path.join(ROOT, name)
        if not os.path.exists(path):
            fails.append("%s: missing (run test_xdmf with PINN_XDMF_EXAMPLES=%s)" % (name, ROOT))
            continue
        for rname in READERS:
            try:
                check(path, rname, want, fails)
            except Exception as exc:  # a reader error is a failure, not a crash
                fails.append("%s [%s]: %s" % (name, rname, exc))
    check_open_data_file(ROOT, "u", fails, npoints=20)
    return report(fails, "all %d documents x %d readers OK" % (len(EXPECT), len(READERS)))


ROOT = "."
if __name__ == "__main__":
    sys.exit(main(sys.argv))
