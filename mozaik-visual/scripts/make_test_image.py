"""Write the small test image mozaik-visual ships (src/mozaik_visual/stimuli/data/test_image.npy).

A 64 x 64 uint8 "natural-like" image: seeded 1/f noise plus a few light and dark discs and an
edge, so it has structure at every scale. Run from the repository root:
``uv run python mozaik-visual/scripts/make_test_image.py`` (the output is identical each time).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

OUT = Path(__file__).parents[1] / "src" / "mozaik_visual" / "stimuli" / "data" / "test_image.npy"


def make(size: int = 64, seed: int = 2013) -> np.ndarray:
    rng = np.random.default_rng(seed)
    fy, fx = np.meshgrid(np.fft.fftfreq(size), np.fft.fftfreq(size), indexing="ij")
    f = np.hypot(fx, fy)
    f[0, 0] = 1.0
    spectrum = (rng.normal(size=(size, size)) + 1j * rng.normal(size=(size, size))) / f
    spectrum[0, 0] = 0.0
    image = np.real(np.fft.ifft2(spectrum))
    image = (image - image.mean()) / image.std()
    y, x = np.mgrid[0:size, 0:size]
    for cx, cy, r, sign in [(16, 20, 6, 1.5), (44, 40, 9, -1.5), (40, 14, 4, 2.0)]:
        image[np.hypot(x - cx, y - cy) < r] += sign
    image[:, size * 3 // 4:] += 0.8
    image = (image - image.min()) / (image.max() - image.min())
    return np.round(image * 255).astype(np.uint8)


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.save(OUT, make(), allow_pickle=False)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
