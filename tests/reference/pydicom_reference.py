"""Reference values from pydicom for tests/reference/dicom-corpus.test.ts.

Run with Debian's interpreter (/usr/bin/python3, which has python3-pydicom and numpy):

  survey ROOT          one JSON object per line for every file under ROOT: path, transfer syntax,
                       whether it has Pixel Data, and the image attributes pydicom reads
  dump DICOM OUT       decodes every frame with pydicom and writes the stored values to OUT as raw
                       little-endian float64, [frames, rows, columns, samples]; prints one JSON line
                       {"shape": [...], "handler": ...} or {"error": "..."}

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
from pydicom.uid import UID

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
        handler = getattr(ds, "_pixel_array_opts", None)
        print(json.dumps({"shape": list(values.shape), "native": bool(native), "handler": handler}))
    except Exception as err:  # noqa: BLE001 - reported to the caller as data
        print(json.dumps({"error": f"{type(err).__name__}: {err}".splitlines()[0]}))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "survey":
        survey(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "dump":
        dump(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: pydicom_reference.py survey ROOT | dump DICOM OUT")
