"""plugin_manager loads hook implementations that installed distributions register as entry points."""

import sys
import textwrap

import pluggy

from shoal.plugins import plugin_manager

hookspec = pluggy.HookspecMarker("shoaltest")


class Specs:
    @hookspec
    def shoaltest_names(self):
        """Return a list of names."""


def install_fake_distribution(tmp_path, name, module_source):
    """A real (if tiny) installed distribution: a module plus dist-info with entry_points.txt."""
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(module_source))
    info = tmp_path / f"{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[shoaltest.plugins]\n{name} = {name}\n")


def test_entry_point_plugins_are_loaded_and_broken_ones_reported(tmp_path, monkeypatch):
    install_fake_distribution(tmp_path, "goodplugin", """
        import pluggy
        hookimpl = pluggy.HookimplMarker("shoaltest")
        @hookimpl
        def shoaltest_names():
            return ["from-good"]
    """)
    install_fake_distribution(tmp_path, "brokenplugin", "raise ImportError('missing dependency xyz')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    pm = plugin_manager("shoaltest", Specs, "shoaltest.plugins", cached=False)
    assert pm.hook.shoaltest_names() == [["from-good"]]
    assert "brokenplugin" in pm.failed_plugins
    assert "xyz" in str(pm.failed_plugins["brokenplugin"])
    sys.modules.pop("goodplugin", None)
