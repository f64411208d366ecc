"""Reference pixels for tests/Import-ImageData.Tests.ps1 (run with Debian's /usr/bin/python3: NumPy, Pillow 9.4).

Writes fixed.png (a 5 x 7 RGB image of fixed values) and references.json: the image resized as tf.image.resize does
(antialias off) to 3 x 4 (down) and 9 x 11 (up), bilinear with half-pixel centres and nearest, computed with NumPy from
TensorFlow's formulas. Pillow's BILINEAR resize agrees with TensorFlow's when enlarging (its triangle filter then spans
one source pixel each side, renormalized at the edges, which clamps as TensorFlow does); the script checks that on the
9 x 11 case and prints the largest difference (within 1: Pillow rounds to whole values after each of its two passes). Shrinking, Pillow widens the filter (antialiasing) and disagrees.
"""
import json
import numpy as np
from PIL import Image

H, W = 5, 7
y, x = np.mgrid[0:H, 0:W]
img = np.stack([(x * 37 + y * 11) % 256, (y * 53 + x * 5 + 20) % 256, (x * y * 29 + 7) % 256], axis=-1).astype(np.uint8)
Image.fromarray(img, 'RGB').save('fixed.png')


def bilinear_axis(n_in, n_out):
    scale = n_in / n_out
    src = (np.arange(n_out) + 0.5) * scale - 0.5
    lo = np.floor(src)
    lerp = src - lo
    return np.maximum(lo, 0).astype(int), np.minimum(np.ceil(src), n_in - 1).astype(int), lerp


def bilinear(a, oh, ow):
    a = a.astype(np.float64)
    y0, y1, ly = bilinear_axis(a.shape[0], oh)
    x0, x1, lx = bilinear_axis(a.shape[1], ow)
    top = a[y0][:, x0] * (1 - lx)[None, :, None] + a[y0][:, x1] * lx[None, :, None]
    bot = a[y1][:, x0] * (1 - lx)[None, :, None] + a[y1][:, x1] * lx[None, :, None]
    return top * (1 - ly)[:, None, None] + bot * ly[:, None, None]


def nearest(a, oh, ow):
    yi = np.minimum(np.floor((np.arange(oh) + 0.5) * a.shape[0] / oh), a.shape[0] - 1).astype(int)
    xi = np.minimum(np.floor((np.arange(ow) + 0.5) * a.shape[1] / ow), a.shape[1] - 1).astype(int)
    return a[yi][:, xi].astype(np.float64)


refs = {}
for name, fn in (('bilinear', bilinear), ('nearest', nearest)):
    for oh, ow in ((3, 4), (9, 11)):
        refs[f'{name}_{oh}x{ow}'] = np.round(fn(img, oh, ow), 4).reshape(-1).tolist()

pil = np.asarray(Image.open('fixed.png').convert('RGB').resize((11, 9), Image.BILINEAR), dtype=np.float64)
diff = np.abs(pil - bilinear(img, 9, 11)).max()
print(f'Pillow BILINEAR vs TensorFlow bilinear, 5x7 -> 9x11: largest difference {diff:.3f} (Pillow rounds to whole values)')
assert diff <= 1.0, diff
with open('references.json', 'w') as f:
    json.dump({'source': 'fixed.png', 'height': H, 'width': W, 'pillow_upscale_max_diff': round(float(diff), 4), **refs}, f)
