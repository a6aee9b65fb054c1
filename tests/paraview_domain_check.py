"""Check what ParaView 5.11 shows of solves on domains that are not boxes.

Usage (no display needed: reading only):
    timeout -s KILL 600 pvpython tests/paraview_domain_check.py DIR PINN \\
        CSG2D.so CSG3D.so CSGHEAT.so

PINN is the pinn CLI; the three plugins are tests/plugin_csg.c built with
PINN_CSG_CASE = 1, 2, 3 (csg2d: the square [-1, 1]^2 minus the disk
|x - (0.3, 0.2)| < 0.4; csg3d: the box [0, 1]^3 minus the ball
|x - (0.5, 0.5, 0.5)| < 0.3; csgheat: csg2d's domain x [0, 0.5]).  In DIR the
script runs a short `pinn solve` of each, then `pinn eval` of each result on
another grid (HDF5 out, so with its sidecar), and checks for every file:

  * the .h5 (h5py): /solution/mask is 1 exactly at the grid nodes inside the
    domain, evaluated here from the known geometry (nodes within 1e-9 of the
    boundary may go either way); the sidecar mesh /xdmf/mesh is the set of
    grid cells whose corners are all inside (recomputed from the mask) over
    the nodes they use, with positive orientation;
  * `pinn info` names the domain and the mesh;
  * ParaView, with both XDMF readers, at every time step: the solution grid
    has exactly those points and cells, NO point lies outside the domain
    (the python test again, on the coordinates ParaView loaded), and every
    array's range equals the .h5 dataset's over the mesh nodes at that step.

Exit status 0 when everything matches.
"""
import os
import subprocess
import sys

import h5py
import numpy as np
from paraview.simple import Delete
from paraview_common import READERS, close, leaves, report
from vtkmodules.util.numpy_support import vtk_to_numpy

TOL = 1e-9


def square_minus_disk(p):
    """Signed 'outside-ness' of points p [n][2]: > 0 outside."""
    box = np.max(np.abs(p) - 1.0, axis=1)
    hole = 0.4 - np.hypot(p[:, 0] - 0.3, p[:, 1] - 0.2)
    return np.maximum(box, hole)


def box_minus_ball(p):
    box = np.max(np.maximum(-p, p - 1.0), axis=1)
    hole = 0.3 - np.linalg.norm(p - 0.5, axis=1)
    return np.maximum(box, hole)


CASES = [  # name, plugin index, shape test, eval grid
    ("csg2d", 0, square_minus_disk, "37x29"),
    ("csg3d", 1, box_minus_ball, "13x11x9"),
    ("csgheat", 2, square_minus_disk, "25x25,4"),
]


def attr(f, name):
    v = f.attrs[name]
    return v.decode() if isinstance(v, bytes) else v


def mesh_of(mask, d):
    """Cells with every corner inside and the nodes they use, from a space
    mask shaped [nz][ny][nx] or [ny][nx]: (n_cells, sorted flat node ids,
    corner offsets of each cell's nodes)."""
    if d == 2:
        c = mask[:-1, :-1] & mask[:-1, 1:] & mask[1:, 1:] & mask[1:, :-1]
        used = np.zeros_like(mask)
        for sj, si in ((0, 0), (0, 1), (1, 1), (1, 0)):
            used[sj:sj + c.shape[0], si:si + c.shape[1]] |= c
    else:
        c = np.ones(tuple(s - 1 for s in mask.shape), dtype=bool)
        corners = [(k, j, i) for k in (0, 1) for (j, i) in ((0, 0), (0, 1), (1, 1), (1, 0))]
        for k, j, i in corners:
            c &= mask[k:k + c.shape[0], j:j + c.shape[1], i:i + c.shape[2]]
        used = np.zeros_like(mask)
        for k, j, i in corners:
            used[k:k + c.shape[0], j:j + c.shape[1], i:i + c.shape[2]] |= c
    return int(c.sum()), np.flatnonzero(used.ravel())


def check_h5(h5, shape, fails):
    """The .h5 against the geometry; returns the expected grid (points xyz,
    cells, ranges per step per array, times) for ParaView."""
    where = os.path.basename(h5)
    with h5py.File(h5, "r") as f:
        d = int(attr(f, "space_dim"))
        timed = bool(attr(f, "has_time"))
        names = list(f["grid"].keys())
        order = [n for n in ("x", "y", "z") if n in names][:d]
        axes = [f["grid"][a][()] for a in order]
        times = [float(t) for t in f["grid"]["t"][()]] if timed else []
        mask = f["solution"]["mask"][()] > 0.5
        smask = np.all(mask, axis=0) if timed else mask
        # every grid node: the mask against the python test
        mesh = np.meshgrid(*axes[::-1], indexing="ij")  # [z][y][x] order
        pts = np.stack([m.ravel() for m in mesh[::-1]], axis=1)  # x fastest, as the grid
        out = shape(pts)
        want = out <= 0
        sure = np.abs(out) > TOL
        bad = np.flatnonzero(sure & (want != smask.ravel()))
        if bad.size:
            fails.append("%s: mask differs from the geometry at %d nodes, e.g. %s" % (
                where, bad.size, pts[bad[0]]))
        if str(attr(f, "domain")) != "geometry":
            fails.append("%s: root attribute domain = %r, want 'geometry'" % (where, attr(f, "domain")))
        if int(attr(f, "inside_points")) != int(mask.sum()):
            fails.append("%s: inside_points %s, mask has %d" % (where, attr(f, "inside_points"), mask.sum()))
        ncells, used = mesh_of(smask, d)
        node = f["xdmf"]["mesh"]["node"][()]
        cells = f["xdmf"]["mesh"]["cells"][()]
        xyz = f["xdmf"]["mesh"]["xyz"][()]
        if ncells == 0 or not np.array_equal(node, used) or cells.shape != (ncells, 2 ** d):
            fails.append("%s: mesh has %s cells over %d nodes, the mask gives %d over %d" % (
                where, cells.shape, node.size, ncells, used.size))
            return None
        if not np.array_equal(xyz, pts[used]):
            fails.append("%s: /xdmf/mesh/xyz is not the grid's coordinates" % where)
        if np.any(shape(xyz) > TOL):
            fails.append("%s: mesh points outside the domain" % where)
        # orientation: quad area / hex volume at the first corner > 0
        e1 = xyz[cells[:, 1]] - xyz[cells[:, 0]]
        e2 = xyz[cells[:, 3]] - xyz[cells[:, 0]]
        if d == 2:
            vol = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
        else:
            vol = np.einsum("ij,ij->i", np.cross(e1, e2), xyz[cells[:, 4]] - xyz[cells[:, 0]])
        if not np.all(vol > 0):
            fails.append("%s: %d cells are inverted" % (where, int(np.sum(vol <= 0))))
        arrays = {}
        for n in f["solution"].keys():
            v = f["solution"][n][()]
            steps = [v[k] for k in range(len(times))] if timed else [v]
            arrays[n] = [(float(np.nanmin(s.ravel()[used])), float(np.nanmax(s.ravel()[used])))
                         for s in steps]
    return dict(npoints=int(used.size), ncells=ncells, arrays=arrays, times=times, d=d)


def solution_leaf(reader, want):
    data = reader.GetClientSideObject().GetOutputDataObject(0)
    for ds in leaves(data):
        pd = ds.GetPointData()
        names = sorted(pd.GetArrayName(j) for j in range(pd.GetNumberOfArrays()))
        if names == sorted(want["arrays"]):
            return ds
    return None


def check_paraview(xmf, shape, want, fails):
    for rname, make in READERS.items():
        where = "%s [%s]" % (os.path.basename(xmf), rname)
        try:
            reader = make(xmf)
            times = [float(t) for t in (reader.TimestepValues or [])]
            if len(times) != len(want["times"]) or not all(
                    close(a, b) for a, b in zip(times, want["times"])):
                fails.append("%s: time steps %s, want %s" % (where, times, want["times"]))
            for k, t in enumerate(want["times"] or [None]):
                reader.UpdatePipeline(t) if t is not None else reader.UpdatePipeline()
                here = where + ("" if t is None else " t=%g" % t)
                ds = solution_leaf(reader, want)
                if ds is None:
                    fails.append("%s: no grid with the arrays %s" % (here, sorted(want["arrays"])))
                    continue
                if ds.GetNumberOfPoints() != want["npoints"] or ds.GetNumberOfCells() != want["ncells"]:
                    fails.append("%s: %d points / %d cells, the .h5 gives %d / %d" % (
                        here, ds.GetNumberOfPoints(), ds.GetNumberOfCells(), want["npoints"],
                        want["ncells"]))
                p = vtk_to_numpy(ds.GetPoints().GetData())[:, :want["d"]]
                outside = np.flatnonzero(shape(p) > TOL)
                if outside.size:
                    fails.append("%s: %d points outside the domain, e.g. %s" % (
                        here, outside.size, p[outside[0]]))
                pd = ds.GetPointData()
                for name, per_step in want["arrays"].items():
                    lo, hi = per_step[k]
                    got = pd.GetArray(name).GetRange()
                    if not (close(got[0], lo) and close(got[1], hi)):
                        fails.append("%s: %s range %s, .h5 has (%.17g, %.17g)" % (
                            here, name, got, lo, hi))
            print("%-22s %-13s %6d points %6d cells, %s" % (
                os.path.basename(xmf), rname, want["npoints"], want["ncells"],
                ("%d time steps" % len(times)) if times else "static"))
            Delete(reader)
        except Exception as exc:  # a reader error is a failure, not a crash
            fails.append("%s: %s" % (where, exc))


def run(cmd, fails):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    if r.returncode != 0:
        fails.append("%s: exit %d\n%s" % (" ".join(cmd), r.returncode, r.stdout))
    return r.stdout


def main(argv):
    if len(argv) < 6:
        print(__doc__)
        return 2
    root, pinn, plugins = os.path.abspath(argv[1]), os.path.abspath(argv[2]), argv[3:6]
    plugins = [os.path.abspath(p) for p in plugins]
    fails = []
    for name, ip, shape, grid in CASES:
        h5 = os.path.join(root, name + ".h5")
        ev = os.path.join(root, name + "_eval.h5")
        run([pinn, "solve", "--plugin", plugins[ip], "--quiet", "--threads", "1", "--out", h5], fails)
        run([pinn, "eval", h5, "--grid", grid, "--plugin", plugins[ip], "--out", ev], fails)
        for path in (h5, ev):
            if not os.path.exists(path):
                fails.append("%s: not written" % path)
                continue
            want = check_h5(path, shape, fails)
            if want is None:
                continue
            info = run([pinn, "info", path], fails)
            mesh_line = "ParaView mesh: %d %s over %d points" % (
                want["ncells"], "hexahedra" if want["d"] == 3 else "quadrilaterals", want["npoints"])
            if "domain: geometry (not a box)" not in info or mesh_line not in info:
                fails.append("pinn info %s: no domain line or not '%s':\n%s" % (path, mesh_line, info))
            check_paraview(os.path.splitext(path)[0] + ".xmf", shape, want, fails)
    return report(fails, "ParaView shows every solve and eval on a CSG domain inside it only")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
