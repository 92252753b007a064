"""Configuration from package defaults, YAML files, environment variables and shoal.config.set."""

import subprocess
import sys
import textwrap

import pytest

import shoal
from shoal import config


def test_core_defaults_are_loaded():
    assert config.get("optimization.fuse.active") is True
    assert config.get("multiprocessing.context") == "spawn"


def test_get_with_default_and_missing_key_error():
    assert config.get("no.such.key", 5) == 5
    with pytest.raises(KeyError, match="no.such.key"):
        config.get("no.such.key")


def test_set_as_context_manager_restores():
    with config.set({"a.b.c": 1}, scheduler="sync"):
        assert config.get("a.b.c") == 1 and config.get("a.b") == {"c": 1}
        assert config.get("scheduler") == "sync"
        with config.set(a__b__c=2):
            assert config.get("a.b.c") == 2
        assert config.get("a.b.c") == 1
    assert config.get("a", None) is None
    assert config.get("scheduler") is None


def test_set_globally():
    config.set({"test-global.value": 3})
    try:
        assert config.get("test-global.value") == 3
    finally:
        config.config.pop("test-global")


def test_underscores_and_hyphens_are_the_same():
    with config.set({"my_section.chunk_size": "64MiB"}):
        assert config.get("my-section.chunk-size") == "64MiB"
        assert config.get("my_section.chunk_size") == "64MiB"


def test_update_defaults_does_not_override_user_values():
    cfg, defaults = {"pkg": {"a": "user"}}, []
    config.update_defaults({"pkg": {"a": "default", "b": 2}}, config=cfg, defaults=defaults)
    assert cfg == {"pkg": {"a": "user", "b": 2}}


def test_yaml_files_and_environment(tmp_path):
    (tmp_path / "mine.yaml").write_text("array:\n  chunk-size: 1MiB\nnum_workers: 3\n")
    code = textwrap.dedent("""
        import shoal
        print(shoal.config.get('array.chunk-size'), shoal.config.get('num-workers'),
              shoal.config.get('distributed.worker.memory.spill'),
              shoal.config.get('distributed.comm.retry'), shoal.config.get('flag'))
    """)
    env = {
        "SHOAL_CONFIG": str(tmp_path),
        "SHOAL_DISTRIBUTED__WORKER__MEMORY__SPILL": "0.7",
        "SHOAL_DISTRIBUTED__COMM__RETRY": "text value",
        "SHOAL_NUM_WORKERS": "5",  # the environment wins over files
        "SHOAL_FLAG": "true",
        "HOME": str(tmp_path),
        "PATH": "",
    }
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1MiB", "5", "0.7", "text", "value", "True"]


def test_bad_yaml_names_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- a list\n- not a mapping\n")
    with pytest.raises(ValueError, match="bad.yaml"):
        config.collect_yaml([bad])


def test_config_chooses_the_scheduler():
    import threading

    d = shoal.delayed(lambda: threading.current_thread().name, pure=False)()
    with config.set(scheduler="sync"):
        assert d.compute() == threading.current_thread().name


def test_defaults_added_inside_a_set_block_survive_its_exit():
    from shoal import config

    try:
        with config.set({"newpkg-test.sub.flag": True}):
            config.update_defaults({"newpkg-test": {"sub": {"flag": False, "size": 3}, "other": 1}})
            assert config.get("newpkg-test.sub.flag") is True
        assert config.get("newpkg-test.sub.flag") is False
        assert config.get("newpkg-test.sub.size") == 3 and config.get("newpkg-test.other") == 1
    finally:
        config.defaults[:] = [d for d in config.defaults if "newpkg-test" not in d]
        config.config.pop("newpkg-test", None)
