"""Reference values from pydicom for tests/reference/dicom-corpus.test.ts.

Run with Debian's interpreter (/usr/bin/python3, which has python3-pydicom and numpy):

  survey ROOT          one JSON object per line for every file under ROOT: path, transfer syntax,
                       whether it has Pixel Data, and the image attributes pydicom reads
  dump DICOM OUT       decodes every frame with pydicom and writes the stored values to OUT as raw
                       little-endian float64, [frames, rows, columns, samples]; prints one JSON line
                       {"shape": [...]} or {"error": "..."}
  render DICOM OUT [C W]
                       the first frame as 8-bit grey, written to OUT as raw bytes [rows, columns]:
                       pydicom's modality LUT (luminance for colour), the PS3.3 C.11.2.1.2.1 linear
                       window (C W, else the file's first window, else min/max), inverted for
                       MONOCHROME1; prints {"rows", "columns", "center", "width", "inverted"}
  stats DICOM          header facts and min/max/mean of the first frame's modality values, as JSON

"Stored values" follow PS3.5 section 8: native data are shifted down by HighBit + 1 - BitsStored and masked
to BitsStored bits, then sign-extended when PixelRepresentation is 1. pydicom 2.3 returns the raw words,
so the masking is done here with numpy, independently of the code under test.
"""

import json
import os
import sys
import warnings

import numpy as np
import pydicom
from pydicom.multival import MultiValue
from pydicom.pixel_data_handlers.util import apply_modality_lut

warnings.simplefilter("ignore")


def survey(root):
    for folder, _dirs, files in sorted(os.walk(root)):
        for name in sorted(files):
            path = os.path.join(folder, name)
            row = {"path": os.path.relpath(path, root)}
            try:
                ds = pydicom.dcmread(path, force=True)
                meta = getattr(ds, "file_meta", None)
                ts = getattr(meta, "TransferSyntaxUID", None) if meta is not None else None
                row["transferSyntax"] = str(ts) if ts is not None else None
                row["hasPixelData"] = "PixelData" in ds
                for key in ("Rows", "Columns", "BitsAllocated", "BitsStored", "PhotometricInterpretation"):
                    value = ds.get(key)
                    row[key] = None if value is None else (str(value) if isinstance(value, str) else int(value))
            except Exception as err:  # noqa: BLE001 - the survey reports every failure as data
                row["readError"] = f"{type(err).__name__}: {err}".splitlines()[0]
            print(json.dumps(row))


def stored_values(ds, arr, native):
    """Masks to BitsStored and sign-extends (see the module doc)."""
    bits_allocated = int(ds.BitsAllocated)
    bits_stored = int(ds.get("BitsStored", bits_allocated))
    high_bit = int(ds.get("HighBit", bits_stored - 1))
    signed = int(ds.get("PixelRepresentation", 0)) == 1
    arr = arr.astype(np.int64)
    if bits_allocated == 1:
        return arr
    arr = arr & ((1 << bits_allocated) - 1)  # the word as unsigned
    if native:
        arr = arr >> (high_bit + 1 - bits_stored)
    arr = arr & ((1 << bits_stored) - 1)
    if signed:
        arr = np.where(arr >= (1 << (bits_stored - 1)), arr - (1 << bits_stored), arr)
    return arr


def first_frame_modality(ds):
    """Modality values of frame 0 as float64 [rows, columns] (BT.601 luminance for RGB, Y for YBR)."""
    native = not ds.file_meta.TransferSyntaxUID.is_compressed
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    samples = int(ds.get("SamplesPerPixel", 1))
    arr = ds.pixel_array.reshape(frames, int(ds.Rows), int(ds.Columns), samples)
    stored = stored_values(ds, arr, native)[0]
    if samples == 3:
        photometric = str(ds.PhotometricInterpretation)
        if photometric.startswith("YBR"):
            return stored[..., 0].astype(np.float64)
        return stored[..., 0] * 0.299 + stored[..., 1] * 0.587 + stored[..., 2] * 0.114
    return apply_modality_lut(stored[..., 0], ds).astype(np.float64)


def render(path, out, center=None, width=None):
    try:
        ds = pydicom.dcmread(path)
        values = first_frame_modality(ds)
    except Exception as err:  # noqa: BLE001 - reported to the caller as data
        print(json.dumps({"error": f"{type(err).__name__}: {err}".splitlines()[0]}))
        return
    if center is None:
        centers = ds.get("WindowCenter")
        widths = ds.get("WindowWidth")
        if centers is not None and widths is not None:
            center = float(centers[0] if isinstance(centers, MultiValue) else centers)
            width = float(widths[0] if isinstance(widths, MultiValue) else widths)
        if width is None or width < 1:
            low, high = float(values.min()), float(values.max())
            center, width = (low + high + 1) / 2, high - low + 1
    c, w = center - 0.5, width - 1
    grey = np.where(
        values <= c - w / 2,
        0.0,
        np.where(values > c + w / 2, 255.0, ((values - c) / (w if w > 0 else 1) + 0.5) * 255),
    )
    grey = np.floor(grey + 0.5)
    inverted = int(ds.get("SamplesPerPixel", 1)) == 1 and ds.get("PhotometricInterpretation") == "MONOCHROME1"
    if inverted:
        grey = 255 - grey
    grey.astype(np.uint8).tofile(out)
    print(json.dumps({"rows": int(ds.Rows), "columns": int(ds.Columns), "center": center, "width": width,
                      "inverted": bool(inverted)}))


def stats(path):
    try:
        ds = pydicom.dcmread(path)
        values = first_frame_modality(ds)
    except Exception as err:  # noqa: BLE001 - reported to the caller as data
        print(json.dumps({"error": f"{type(err).__name__}: {err}".splitlines()[0]}))
        return

    def text(key):
        value = ds.get(key)
        return None if value is None or str(value).strip(" \0") == "" else str(value).strip(" \0")

    print(json.dumps({
        "rows": int(ds.Rows), "columns": int(ds.Columns), "bitsAllocated": int(ds.BitsAllocated),
        "bitsStored": int(ds.BitsStored), "photometric": text("PhotometricInterpretation"),
        "sex": text("PatientSex"), "age": text("PatientAge"),
        "min": float(values.min()), "max": float(values.max()), "mean": float(values.mean()),
    }))


def dump(path, out):
    try:
        ds = pydicom.dcmread(path)
        native = not ds.file_meta.TransferSyntaxUID.is_compressed
        arr = ds.pixel_array
        frames = int(ds.get("NumberOfFrames", 1) or 1)
        samples = int(ds.get("SamplesPerPixel", 1))
        arr = arr.reshape(frames, int(ds.Rows), int(ds.Columns), samples)
        values = stored_values(ds, arr, native)
        values.astype("<f8").tofile(out)
        print(json.dumps({"shape": list(values.shape)}))
    except Exception as err:  # noqa: BLE001 - reported to the caller as data
        print(json.dumps({"error": f"{type(err).__name__}: {err}".splitlines()[0]}))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "survey":
        survey(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "dump":
        dump(sys.argv[2], sys.argv[3])
    elif len(sys.argv) in (4, 6) and sys.argv[1] == "render":
        window = [float(v) for v in sys.argv[4:6]] or [None, None]
        render(sys.argv[2], sys.argv[3], *window)
    elif len(sys.argv) == 3 and sys.argv[1] == "stats":
        stats(sys.argv[2])
    else:
        sys.exit("usage: pydicom_reference.py survey ROOT | dump DICOM OUT | render DICOM OUT [C W] | stats DICOM")
