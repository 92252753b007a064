"""SpillBuffer: least-recently-used values go to disk past the target and come back intact."""

import numpy as np
import pytest

from shoal.distributed.spill import SpillBuffer

pytestmark = pytest.mark.timeout(30)


def test_lru_spill_and_read_back(tmp_path):
    buf = SpillBuffer(str(tmp_path / "spill"), target=2_500_000)
    arrays = {f"x{i}": np.full(125_000, i, dtype="f8") for i in range(4)}  # 1 MB each
    for k, v in arrays.items():
        buf[k] = v
    assert set(buf.fast) == {"x2", "x3"} and set(buf.slow) == {"x0", "x1"}
    np.testing.assert_array_equal(buf["x0"], arrays["x0"])  # read back, now most recent
    assert "x0" in buf.fast and "x2" in buf.slow
    assert len(buf) == 4 and set(buf) == set(arrays)
    del buf["x1"]
    assert "x1" not in buf and len(list((tmp_path / "spill").iterdir())) == len(buf.slow)
    buf["huge"] = np.zeros(500_000)  # larger than the target: straight to disk
    assert "huge" in buf.slow
    assert buf["huge"].sum() == 0
    buf.close()
    assert not (tmp_path / "spill").exists()
