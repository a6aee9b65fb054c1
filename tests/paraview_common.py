"""What tests/paraview_check.py and tests/paraview_solve_check.py share: the
two readers ParaView 5.11 offers for .xmf, the tolerance, the data-set leaves
of a reader's output, and the frame of their main()."""
import os
import subprocess

from paraview.simple import Delete, OpenDataFile, XDMFReader, Xdmf3ReaderS

TOL = 1e-12
READERS = {
    "Xdmf3ReaderS": lambda p: Xdmf3ReaderS(FileName=[p]),
    "XDMFReader": lambda p: XDMFReader(FileNames=[p]),
}


def close(a, b, scale=1.0):
    return abs(a - b) <= TOL * max(1.0, abs(scale), abs(a), abs(b))


def leaves(obj):
    """The vtkDataSet leaves of a data object (multi-block, multi-piece)."""
    if obj is None:
        return []
    if obj.IsA("vtkMultiPieceDataSet"):
        out = []
        for i in range(obj.GetNumberOfPieces()):
            out.extend(leaves(obj.GetPiece(i)))
        return out
    if obj.IsA("vtkMultiBlockDataSet"):
        out = []
        for i in range(obj.GetNumberOfBlocks()):
            out.extend(leaves(obj.GetBlock(i)))
        return out
    return [obj]


def folder(argv, env, usage):
    """The folder argv[1] (absolute path), after running the test binary
    named by --generate with env=<folder> when asked; None (usage printed)
    without a folder."""
    if len(argv) < 2:
        print(usage)
        return None
    root = os.path.abspath(argv[1])
    if "--generate" in argv:
        exe = argv[argv.index("--generate") + 1]
        subprocess.run([exe], env=dict(os.environ, **{env: root}), check=True,
                       stdout=subprocess.DEVNULL)
    return root


def check_open_data_file(root, array, fails, npoints=None):
    """OpenDataFile's choice of reader, opening ./plane.xmf after chdir (the
    Xdmf3 reader resolves the .h5 wrongly for a bare name): array must be
    there (and npoints points, when given)."""
    os.chdir(root)
    r = OpenDataFile("./plane.xmf")
    r.UpdatePipeline()
    n = r.GetDataInformation().GetNumberOfPoints()
    print("OpenDataFile('./plane.xmf') -> %s, %d points" % (r.GetXMLName(), n))
    if array not in r.PointData.keys() or (npoints is not None and n != npoints):
        fails.append("./plane.xmf via OpenDataFile: wrong data (no array %s, or not %s points)"
                     % (array, npoints))
    Delete(r)


def report(fails, ok):
    """Print the failures (exit status 1) or ok (0)."""
    if fails:
        print("FAILED:")
        for f in fails:
            print("  " + f)
        return 1
    print(ok)
    return 0
