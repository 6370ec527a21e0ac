"""Writes the .npy fixtures that NpyTest reads. Run from this folder with /usr/bin/python3 (numpy only).

Each array is arange-based so the Java test can recompute the expected values without the script."""
import numpy as np

def base(n):
    return np.arange(n)

# value formulas (NpyTest mirrors them): i = arange(6) reshaped to (2, 3)
i = base(6).reshape(2, 3)
np.save("f4.npy", (i * 0.5 - 1.0).astype("<f4"))
np.save("f2.npy", (i * 0.25 - 0.5).astype("<f2"))
np.save("f8.npy", (i / 3.0).astype("<f8"))
np.save("i8.npy", (i * 1000000000000 - 3).astype("<i8"))
np.save("i4.npy", (i * 70000 - 5).astype("<i4"))
np.save("i1.npy", (i * 50 - 128).astype("i1"))
np.save("u1.npy", (i * 50).astype("u1"))
np.save("b1.npy", (i % 2 == 1))
np.save("scalar_f4.npy", np.float32(2.5))
np.save("empty_f4.npy", np.zeros((0, 3), dtype="<f4"))
np.save("rank4_f4.npy", base(2 * 3 * 2 * 2).reshape(2, 3, 2, 2).astype("<f4"))
np.save("big_endian_f4.npy", (i * 0.5 - 1.0).astype(">f4"))
np.save("fortran_f4.npy", np.asfortranarray((i * 0.5 - 1.0).astype("<f4")))
with open("v2_f4.npy", "wb") as f:
    np.lib.format.write_array(f, (i * 0.5 - 1.0).astype("<f4"), version=(2, 0))
