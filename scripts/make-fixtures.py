#!/usr/bin/env python3
"""make-fixtures.py: writes the small dataset fixtures under
ninlib/datasets/testdata in the exact official formats, with independent
writers where one exists (scipy.io.savemat for SVHN's MATLAB v5 files), so
that the Go parsers are tested against files they did not write.

Run with Debian's python3 (needs python3-numpy and python3-scipy):
    /usr/bin/python3 scripts/make-fixtures.py
Pixel (r, c, ch) of image i holds (i*7 + r*3 + c*5 + ch*11) % 256, so a test
can check any pixel; labels are i % classes (SVHN: 1..10 with 10 for zero).
"""
import gzip, os, struct
import numpy as np
import scipy.io

out = os.path.join(os.path.dirname(__file__), "..", "ninlib", "datasets", "testdata")
os.makedirs(out, exist_ok=True)

def pixels(n, h, w, c):
    i, r, col, ch = np.meshgrid(np.arange(n), np.arange(h), np.arange(w), np.arange(c), indexing="ij")
    return ((i * 7 + r * 3 + col * 5 + ch * 11) % 256).astype(np.uint8)  # [n, h, w, c]

# IDX (MNIST layout): 5 images of 28x28 and their labels, raw and gzipped.
imgs = pixels(5, 28, 28, 1)[..., 0]
labels = (np.arange(5) % 10).astype(np.uint8)
idx_img = struct.pack(">BBBBIII", 0, 0, 8, 3, 5, 28, 28) + imgs.tobytes()
idx_lbl = struct.pack(">BBBBI", 0, 0, 8, 1, 5) + labels.tobytes()
for name, data in [("images-idx3-ubyte", idx_img), ("labels-idx1-ubyte", idx_lbl)]:
    open(os.path.join(out, name), "wb").write(data)
    with gzip.open(os.path.join(out, name + ".gz"), "wb") as f:
        f.write(data)

# CIFAR-10 / CIFAR-100 binary: <label(s)><1024 R><1024 G><1024 B>, row-major.
def cifar(n, fine_classes=None):
    px = pixels(n, 32, 32, 3)
    recs = bytearray()
    for i in range(n):
        if fine_classes:
            recs += bytes([i % 20, i % fine_classes])
        else:
            recs += bytes([i % 10])
        recs += px[i].transpose(2, 0, 1).tobytes()  # CHW
    return bytes(recs)
open(os.path.join(out, "cifar10_batch.bin"), "wb").write(cifar(4))
open(os.path.join(out, "cifar100_batch.bin"), "wb").write(cifar(3, fine_classes=100))

# SVHN: X is 32x32x3xN uint8, y is Nx1 double with 10 meaning digit 0.
px = pixels(4, 32, 32, 3)
X = np.ascontiguousarray(px.transpose(1, 2, 3, 0))  # [32, 32, 3, N]
y = np.array([[10], [1], [2], [9]], dtype=np.float64)
scipy.io.savemat(os.path.join(out, "svhn_small.mat"), {"X": X, "y": y}, format="5", do_compression=False)
scipy.io.savemat(os.path.join(out, "svhn_small_z.mat"), {"X": X, "y": y}, format="5", do_compression=True)
print("fixtures written to", os.path.normpath(out))
