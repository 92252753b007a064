"""Every test, lint, benchmark and demo session of the shoal monorepo.

    nox -s demo            the showcase, on a LocalCluster
    nox -s tests           every package's tests in one environment
    nox -s tests-array     one package's tests (tests-core, tests-bag, ...)
    nox -s lint            ruff
    nox -s bench           the benchmarks, as a table (add `-- --quick` for a smoke run)

Sessions install the packages from this tree, so a fresh machine needs only Python and nox.
"""

from __future__ import annotations

import pathlib

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = False

ROOT = pathlib.Path(__file__).parent
PYTHON = "3.11"

# package folder -> the packages its tests need (each with its [test] extra)
NEEDS = {
    "core": ["core"],
    "array": ["core", "array"],
    "bag": ["core", "array", "dataframe", "distributed", "bag"],
    "dataframe": ["core", "array", "bag", "dataframe"],
    "distributed": ["core", "array", "dataframe", "bag", "distributed"],
    "deploy-ssh": ["core", "array", "distributed", "deploy-ssh"],
    "deploy-sge": ["core", "array", "distributed", "deploy-sge"],
}
ALL = list(NEEDS)
TEST_TOOLS = ["pytest", "pytest-timeout", "hypothesis"]


def install(session: nox.Session, packages: list[str], extra: str = "test") -> None:
    """Install packages from this tree (together, so their shoal-* dependencies resolve locally)."""
    session.install(*TEST_TOOLS)
    session.install(*[f"./packages/{p}[{extra}]" if extra else f"./packages/{p}" for p in packages])


def run_tests(session: nox.Session, package: str) -> None:
    tests = ROOT / "packages" / package / "tests"
    session.run(
        "python", "-m", "pytest", str(tests), "-q", "-p", "no:cacheprovider", "--timeout=300",
        *session.posargs, env={"PYTHONHASHSEED": "random"},
    )


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """All packages' tests, and a quick run of every benchmark, in one environment."""
    install(session, ALL)
    for package in ALL:
        run_tests(session, package)
    session.run("python", "-m", "pytest", "benchmarks", "-q", "-p", "no:cacheprovider", "--timeout=600")


for _package in ALL:
    def _one(session: nox.Session, package: str = _package) -> None:
        install(session, NEEDS[package])
        run_tests(session, package)

    _one.__doc__ = f"The tests of packages/{_package}."
    nox.session(python=PYTHON, name=f"tests-{_package}")(_one)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff over every package, the benchmarks, the demo and this file."""
    session.install("ruff")
    session.run("ruff", "check", "packages", "benchmarks", "demo", "noxfile.py")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """The benchmarks of every package, printed as one table (`nox -s bench -- --quick`)."""
    # array[stats]: scipy, which the stats benchmarks compare with
    install(session, ["core", "array[stats]", "dataframe", "bag", "distributed", "deploy-ssh", "deploy-sge"],
            extra="")
    session.install("psutil")
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """The showcase: arrays, dataframes, bags and delayed on a LocalCluster, printing what it did."""
    install(session, ["core", "array", "dataframe", "bag", "distributed"], extra="")
    session.run("python", "demo/demo.py", *session.posargs)
