#!/usr/bin/python3
"""Writes N synthetic 12-bit DX chest radiographs (uncompressed, explicit VR LE) for the import benchmark.

usage: make-dx-corpus.py OUT_DIR N [ROWS COLS] [SEED]

Each file has its own UIDs, demographics and pixel noise (so no two are duplicates); the pixel content is a
smooth body/lung pattern with noise, so lossless JPEG compresses it as it would a real radiograph (~2-3x).
"""
import sys
import os
import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

out, n = sys.argv[1], int(sys.argv[2])
rows = int(sys.argv[3]) if len(sys.argv) > 3 else 2500
cols = int(sys.argv[4]) if len(sys.argv) > 4 else 2048
seed = int(sys.argv[5]) if len(sys.argv) > 5 else 1
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(seed)

y, x = np.mgrid[0:rows, 0:cols].astype(np.float32)
yn, xn = y / rows, x / cols
body = np.exp(-(((xn - 0.5) / 0.42) ** 6 + ((yn - 0.55) / 0.55) ** 6))
lungs = np.exp(-(((xn - 0.32) / 0.13) ** 2 + ((yn - 0.45) / 0.25) ** 2)) + np.exp(
    -(((xn - 0.68) / 0.13) ** 2 + ((yn - 0.45) / 0.25) ** 2)
)
ribs = 0.08 * np.sin(yn * 90.0) ** 8
base = 3000 * body - 1600 * lungs * body + 400 * ribs * body + 200

for i in range(n):
    noise = rng.normal(0, 25, size=(rows, cols)).astype(np.float32)
    img = np.clip(base + noise + rng.uniform(-100, 100), 0, 4095).astype(np.uint16)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.1"  # Digital X-Ray Image Storage - For Presentation
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.PatientID = f"BENCH{seed:02d}{i:05d}"
    ds.PatientName = f"Bench^Patient{i}"
    ds.PatientSex = "F" if i % 2 else "M"
    ds.PatientAge = f"{30 + (i * 7) % 60:03d}Y"
    ds.StudyDate = "20250101"
    ds.Modality = "DX"
    ds.ViewPosition = "PA"
    ds.BodyPartExamined = "CHEST"
    ds.Rows, ds.Columns = rows, cols
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.WindowCenter, ds.WindowWidth = 1800, 3000
    ds.RescaleSlope, ds.RescaleIntercept = 1, 0
    ds.PixelSpacing = [0.139, 0.139]
    ds.PixelData = img.tobytes()
    ds.is_little_endian, ds.is_implicit_VR = True, False
    pydicom.dcmwrite(os.path.join(out, f"dx{i:05d}.dcm"), ds, write_like_original=False)
print(f"wrote {n} files of {rows}x{cols} to {out}", file=sys.stderr)
