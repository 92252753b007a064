"""shoal.array.image.imread against NumPy stacks of PNG files written with Pillow."""

import numpy as np
import pytest

import shoal.array as sa
from shoal.array.image import imread

Image = pytest.importorskip("PIL.Image")


@pytest.fixture
def rgb_files(tmp_path):
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, size=(6, 5, 3), dtype=np.uint8) for _ in range(4)]
    for i, image in enumerate(images):
        Image.fromarray(image).save(tmp_path / f"frame-{i:02d}.png")
    (tmp_path / "notes.txt").write_text("not an image")
    return tmp_path, np.stack(images)


def test_one_block_per_file_stacked_in_sorted_order(rgb_files):
    folder, expected = rgb_files
    x = imread(str(folder / "frame-*.png"))
    assert x.shape == (4, 6, 5, 3) and x.dtype == np.uint8
    assert x.chunks == ((1, 1, 1, 1), (6,), (5,), (3,))
    np.testing.assert_array_equal(x.compute(), expected)
    np.testing.assert_array_equal(x[2, :, 1:3].compute(), expected[2, :, 1:3])
    assert x.mean().compute() == pytest.approx(expected.mean())


def test_grayscale_and_path_objects(tmp_path):
    images = [np.full((3, 4), v, dtype=np.uint8) for v in (10, 200, 30)]
    for i, image in enumerate(images):
        Image.fromarray(image).save(tmp_path / f"g{i}.png")
    x = sa.image.imread(tmp_path / "g*.png")
    np.testing.assert_array_equal(x.compute(), np.stack(images))


def test_custom_reader_and_preprocess(rgb_files):
    folder, expected = rgb_files
    calls = []

    def reader(path):
        calls.append(path)
        return np.asarray(Image.open(path))

    x = imread(str(folder / "frame-*.png"), imread=reader, preprocess=lambda im: im.mean(axis=-1))
    assert x.shape == (4, 6, 5) and x.dtype == np.float64
    np.testing.assert_allclose(x.compute(), expected.mean(axis=-1))
    assert len(calls) == 1 + 4  # the first file once to learn shape and dtype, then one read per block


def test_no_matching_files_names_the_pattern(tmp_path):
    with pytest.raises(ValueError, match=r"no files match .*nothing-\*\.png"):
        imread(str(tmp_path / "nothing-*.png"))


def test_files_of_different_shapes_are_reported(tmp_path):
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(tmp_path / "a.png")
    Image.fromarray(np.zeros((5, 4), np.uint8)).save(tmp_path / "b.png")
    x = imread(str(tmp_path / "*.png"))
    with pytest.raises(ValueError, match=r"b\.png has shape \(5, 4\) but the first file has shape \(4, 4\)"):
        x.compute()
