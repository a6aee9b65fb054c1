"""Render a libpinn solve file to a PNG with ParaView.

Usage (pvpython needs an X display to render; xvfb-run provides one):

    xvfb-run -a -s '-screen 0 1280x1024x24' pvpython apps/pinn-render.py RUN.xmf \\
        --out RUN.png [--field u|u_error|...] [--time T] [--size WxH]

RUN.xmf is the sidecar of a solve file RUN.h5 (or RUN_spacetime.xmf, the x-t
picture of a time-dependent problem).  Without --field the first output is
drawn, and beside it its error |u - ref| when the file has an exact or
reference solution; --field draws that one field alone (any array of the
solution grid: u, u_ref, u_error, residual, psi, contact, mask).  Time-dependent
files are drawn at the time step nearest to --time (default: the last one).

1-D fields are drawn as line charts (u with u_ref dashed; the error on a log
axis), 2-D fields as colour maps with a colour bar, 3-D fields as a slice
through the middle of z with the domain outline.  The title names the
problem, the field, the time and the relative L2 error (read from RUN.h5 with
h5py when available).  On a domain that is not a box (a ball, a CSG
geometry) the sidecar's solution grid is the mesh of the grid cells inside
it, so only the domain is drawn (a hole stays empty; its edge follows the
grid cells); a 3-D slice cuts that mesh.  Any NaN left is transparent.
Files written by `pinn eval --out OUT.h5` (OUT.xmf) are drawn the same way.

ParaView 5.11 (Debian) renders only through GLX: run under xvfb-run, use
`timeout -s KILL` (SIGTERM can deadlock pvpython) and retry a failed render
once.  Exit status: 0 written, 1 failure, 2 bad arguments.
"""
import argparse
import os
import re
import sys


def fail(msg, code=1):
    sys.stderr.write("pinn-render: %s\n" % msg)
    sys.exit(code)


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="pinn-render.py",
        description="Render a libpinn solve file (.xmf sidecar) to a PNG with ParaView.")
    ap.add_argument("xmf", help="RUN.xmf or RUN_spacetime.xmf written by pinn solve (or pinn eval)")
    ap.add_argument("--out", required=True, help="PNG file to write")
    ap.add_argument("--field", help="field to draw alone (default: first output + its error)")
    ap.add_argument("--time", type=float, help="time to draw (nearest step; default: last)")
    ap.add_argument("--size", default=None, help="image size WxH (default 900x700 per panel)")
    a = ap.parse_args(argv)
    if not os.path.isfile(a.xmf):
        fail("cannot open '%s': no such file" % a.xmf, 2)
    if not a.out.lower().endswith(".png"):
        fail("--out '%s': the name must end in .png" % a.out, 2)
    if a.size and not re.fullmatch(r"[1-9][0-9]{1,4}x[1-9][0-9]{1,4}", a.size):
        fail("--size '%s': write WIDTHxHEIGHT in pixels, e.g. 1600x700" % a.size, 2)
    return a


def h5_of(xmf):
    """The .h5 the sidecar refers to (first HDF DataItem)."""
    with open(xmf) as f:
        text = f.read()
    m = re.search(r'Format="HDF">([^:<]+):', text)
    if not m:
        return None
    return os.path.join(os.path.dirname(os.path.abspath(xmf)), m.group(1).strip())


def file_facts(h5):
    """Root attributes (problem, outputs, rel_l2_error, ...) when h5py is there."""
    facts = {}
    try:
        import h5py
        with h5py.File(h5, "r") as f:
            for k, v in f.attrs.items():
                facts[k] = v.decode() if isinstance(v, bytes) else v
    except Exception:  # no h5py, or not readable: titles get less detail
        pass
    return facts


def main(argv):
    a = parse_args(argv)
    xmf = os.path.abspath(a.xmf)  # the Xdmf readers mis-resolve bare names
    spacetime = xmf.endswith("_spacetime.xmf")
    grid = "spacetime" if spacetime else "solution"
    h5 = h5_of(xmf)
    facts = file_facts(h5) if h5 else {}

    from paraview import simple as pv
    try:  # the cameras are placed below; keep the first Render from resetting them
        pv._DisableFirstRenderCameraReset()
    except AttributeError:
        pass

    reader = pv.XDMFReader(FileNames=[xmf])
    # the grid to draw; a time series lists one grid per step ("solution_000042")
    grids = list(reader.GetProperty("GridInfo")[::2]) if reader.GetProperty("GridInfo") else []
    chosen = [g for g in grids if re.fullmatch(re.escape(grid) + r"(_[0-9]{6})?", g)]
    if not chosen:
        fail("'%s' has no grid '%s'; is it a libpinn solve file?" % (a.xmf, grid))
    reader.GridStatus = chosen
    times = [float(t) for t in (reader.TimestepValues or [])]
    t_show = None
    if times:
        want = times[-1] if a.time is None else a.time
        t_show = min(times, key=lambda t: abs(t - want))
    elif a.time is not None:
        sys.stderr.write("pinn-render: note: '%s' is not time-dependent; --time ignored\n" % a.xmf)
    reader.UpdatePipeline(t_show if t_show is not None else 0.0)
    arrays = list(reader.PointData.keys())
    if not arrays:
        fail("'%s': the %s grid has no fields" % (a.xmf, grid))

    outputs = [o for o in str(facts.get("outputs", "")).split(",") if o in arrays]
    if not outputs:
        outputs = [n for n in arrays if n not in ("residual", "psi", "contact", "mask")
                   and not n.endswith("_ref") and not n.endswith("_error")][:1] or arrays[:1]
    if a.field:
        if a.field not in arrays:
            fail("--field '%s': this file has %s" % (a.field, ", ".join(arrays)), 2)
        panels = [a.field]
    else:
        panels = [outputs[0]]
        if outputs[0] + "_error" in arrays:
            panels.append(outputs[0] + "_error")

    info = reader.GetDataInformation().DataInformation
    bounds = info.GetBounds()
    flat = [bounds[2 * i + 1] - bounds[2 * i] <= 0 for i in range(3)]
    ndim = 3 - sum(flat)
    problem = facts.get("problem") or os.path.splitext(os.path.basename(a.xmf))[0]
    rel = facts.get("rel_l2_error")

    def title(field):
        s = "%s: %s" % (problem, field)
        if t_show is not None:
            s += "  (t = %.4g)" % t_show
        if spacetime:
            s += "  (x-t)"
        if field.endswith("_error") and rel is not None:
            s += "\nrelative L2 error %.3g (%s%s)" % (
                float(rel), "grid points inside the domain" if facts.get("domain") else "whole grid",
                ", all times" if t_show is not None or spacetime else "")
        return s

    if a.size:
        w, h = (int(v) for v in a.size.split("x"))
    else:
        w, h = 900 * len(panels), 700
    layout = pv.CreateLayout("pinn")
    views = []
    for k, field in enumerate(panels):
        if ndim == 1:
            view = line_chart(pv, reader, field, arrays, title(field), t_show)
        else:
            view = colour_map(pv, reader, field, ndim, title(field), facts, spacetime, t_show)
        views.append(view)
        if k == 0:
            pv.AssignViewToLayout(view=view, layout=layout, hint=0)
        else:
            layout.SplitHorizontal(0, 0.5)
            pv.AssignViewToLayout(view=view, layout=layout, hint=2)
    layout.SetSize(w, h)
    for v in views:
        pv.Render(v)
    for v in views:
        if t_show is not None:
            v.ViewTime = t_show
        if ndim > 1:
            place_camera(v, ndim, bounds, (w / len(views)) / h)
        pv.Render(v)
    pv.SaveScreenshot(os.path.abspath(a.out), layout, ImageResolution=[w, h])
    if not os.path.isfile(a.out) or os.path.getsize(a.out) == 0:
        fail("ParaView did not write '%s'" % a.out)
    print("wrote %s (%s)" % (a.out, ", ".join(panels)))
    sys.stdout.flush()
    sys.stderr.flush()
    # ParaView 5.11's GLX teardown under Xvfb can raise an X error at exit
    # ("GLXBadContext") and turn the exit status to 1: leave now.
    os._exit(0)


def line_chart(pv, reader, field, arrays, title, t_show):
    view = pv.CreateView("XYChartView")
    if t_show is not None:
        view.ViewTime = t_show
    view.ChartTitle = title.replace("\n", "  ")
    view.ChartTitleFontSize = 16
    view.LeftAxisTitle = field
    view.BottomAxisTitle = "x"
    view.ShowLegend = 1
    merged = pv.MergeBlocks(Input=reader)  # series of one dataset, with Points_X
    disp = pv.Show(merged, view, "XYChartRepresentation")
    disp.AttributeType = "Point Data"
    disp.UseIndexForXAxis = 0
    disp.XArrayName = "Points_X"
    series = [field]
    ref = field + "_ref"
    if not field.endswith("_error") and ref in arrays:
        series.append(ref)
    if field not in ("psi", "contact", "mask", "residual") and not field.endswith("_error") \
            and "psi" in arrays:
        series.append("psi")  # the obstacle under the solution
    disp.SeriesVisibility = series
    colours = {field: ["0", "0.25", "0.75"], ref: ["0.85", "0.2", "0.1"],
               "psi": ["0.4", "0.4", "0.4"]}
    disp.SeriesColor = sum(([s] + colours.get(s, ["0", "0", "0"]) for s in series), [])
    disp.SeriesLineThickness = sum(([s, "2"] for s in series), [])
    disp.SeriesLineStyle = sum(([s, "2"] for s in series if s in (ref, "psi")), [])  # dashed
    if field.endswith("_error") or field == "residual":
        view.LeftAxisLogScale = 1
    return view


def colour_map(pv, reader, field, ndim, title, facts, spacetime, t_show):
    view = pv.CreateView("RenderView")
    if t_show is not None:
        view.ViewTime = t_show  # before the colour range is taken from the data
    view.OrientationAxesVisibility = 0
    view.Background = [1, 1, 1]
    try:
        view.UseColorPaletteForBackground = 0
    except AttributeError:
        pass
    src = reader
    if ndim == 3:
        b = reader.GetDataInformation().DataInformation.GetBounds()
        src = pv.Slice(Input=reader)
        src.SliceType = "Plane"
        src.SliceType.Origin = [0.5 * (b[0] + b[1]), 0.5 * (b[2] + b[3]), 0.5 * (b[4] + b[5])]
        src.SliceType.Normal = [0, 0, 1]
        outline = pv.Show(reader, view)
        outline.SetRepresentationType("Outline")
        outline.AmbientColor = outline.DiffuseColor = [0, 0, 0]
    disp = pv.Show(src, view)
    disp.SetRepresentationType("Surface")
    disp.Ambient, disp.Diffuse = 1.0, 0.0  # the colour map's own colours, no shading
    pv.ColorBy(disp, ("POINTS", field))
    lut = pv.GetColorTransferFunction(field)
    lut.ApplyPreset("Viridis (matplotlib)" if field.endswith("_error") or field == "residual"
                    else "Cool to Warm", True)
    try:
        lut.NanOpacity = 0.0  # outside the domain (files written before the inside mesh)
    except AttributeError:
        pass
    disp.RescaleTransferFunctionToDataRange(False, True)
    disp.SetScalarBarVisibility(view, True)
    bar = pv.GetScalarBar(lut, view)
    bar.Title = field
    bar.ComponentTitle = ""
    bar.TitleColor = bar.LabelColor = [0, 0, 0]
    bar.TitleFontSize = 16
    bar.LabelFontSize = 14
    bar.RangeLabelFormat = "%-#.3g"
    bar.WindowLocation = "Any Location"
    bar.Orientation = "Vertical"
    bar.Position = [0.88, 0.2]
    bar.ScalarBarLength = 0.6
    text = pv.Text(Text=title)
    tdisp = pv.Show(text, view)
    tdisp.WindowLocation = "Upper Center"
    tdisp.FontSize = 18
    tdisp.Color = [0, 0, 0]
    grid = view.AxesGrid
    grid.Visibility = 1
    names = ["x", "y", "z"]
    d = int(facts.get("space_dim", 0) or 0)
    if spacetime and d in (1, 2):
        names[d] = "t"
    grid.XTitle, grid.YTitle, grid.ZTitle = names
    for attr in ("XTitleColor", "YTitleColor", "ZTitleColor", "XLabelColor", "YLabelColor",
                 "ZLabelColor", "GridColor"):
        setattr(grid, attr, [0, 0, 0])
    if ndim == 2:
        view.InteractionMode = "2D"
        view.CameraParallelProjection = 1
    return view


def place_camera(view, ndim, bounds, aspect):
    """Fit the camera to the data bounds for a panel of width/height aspect."""
    view.ResetCamera(False)
    if ndim == 2:
        # which two axes span the plane (x-y, or x-t stored as x-y)
        ext = [bounds[2 * i + 1] - bounds[2 * i] for i in range(3)]
        axes = [i for i in range(3) if ext[i] > 0][:2]
        cx = [0.5 * (bounds[2 * i] + bounds[2 * i + 1]) for i in range(3)]
        view.CameraFocalPoint = cx
        view.CameraPosition = [cx[0], cx[1], cx[2] + 10 * max(ext)]
        view.CameraViewUp = [0, 1, 0]
        # room for the title and the axes' labels above and below, and for
        # the colour bar on the right (the data sits a little left of centre)
        scale = max(1.35 * 0.5 * ext[axes[1]], 1.5 * 0.5 * ext[axes[0]] / aspect)
        view.CameraParallelScale = scale
        shift = [0.0, 0.0, 0.0]
        shift[0] = 0.07 * 2 * scale * aspect
        view.CameraFocalPoint = [cx[0] + shift[0], cx[1], cx[2]]
        view.CameraPosition = [cx[0] + shift[0], cx[1], cx[2] + 10 * max(ext)]
    else:
        cam = view.GetActiveCamera()
        cam.Elevation(35)
        cam.Azimuth(30)
        view.ResetCamera(False)
        cam.Dolly(0.8)  # room for the title


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
