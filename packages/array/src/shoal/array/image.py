"""``shoal.array.image.imread``: a stack of image files as one shoal array, one block per file.

The files matching a glob pattern are read in sorted order and stacked along a new first axis; the
shape and dtype of every image are taken from the first file, so all files must agree. Images are read
with Pillow unless another reader is given.
"""

import glob
import os

import numpy as np

from shoal.base import tokenize
from shoal.highlevelgraph import HighLevelGraph

from .core import Array


def read_with_pillow(path):
    """One image file as a NumPy array, read with Pillow (the default reader)."""
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover - pillow is a declared extra
        raise ImportError(
            "shoal.array.image.imread reads images with Pillow: pip install 'shoal-array[image]', "
            "or pass imread= a function that reads one file"
        ) from e
    with Image.open(path) as image:
        return np.asarray(image)


def _read_one(path, imread, preprocess, shape, dtype):
    image = np.asarray(imread(path))
    if preprocess is not None:
        image = np.asarray(preprocess(image))
    if image.shape != shape:
        raise ValueError(f"imread: {path} has shape {image.shape} but the first file has shape {shape}; "
                         "every file of an image stack must have the same shape")
    return image.astype(dtype, copy=False)[np.newaxis]


def imread(filename, imread=None, preprocess=None):
    """Read the images matching the glob pattern ``filename`` as a lazy array of shape
    ``(number of files,) + first image's shape``, one block per file.

    ``imread`` reads one file into an array (default: Pillow); ``preprocess`` is applied to every image
    after reading (and to the first one to learn the shape and dtype)."""
    pattern = os.fspath(filename)
    paths = sorted(glob.glob(pattern))
    if not paths:
        raise ValueError(f"imread: no files match {pattern!r}")
    imread = imread or read_with_pillow
    first = np.asarray(imread(paths[0]))
    if preprocess is not None:
        first = np.asarray(preprocess(first))
    shape, dtype = first.shape, first.dtype
    stamps = [os.path.getmtime(p) for p in paths]
    name = f"imread-{tokenize(paths, stamps, imread, preprocess)}"
    zeros = (0,) * len(shape)
    layer = {(name, i) + zeros: (_read_one, path, imread, preprocess, shape, dtype) for i, path in enumerate(paths)}
    chunks = ((1,) * len(paths),) + tuple((s,) for s in shape)
    return Array(HighLevelGraph({name: layer}, {name: set()}), name, chunks, dtype)
