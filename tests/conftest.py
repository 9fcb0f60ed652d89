import os
import shutil
import sys

import pytest
from hypothesis import HealthCheck, settings

# The test modules import the shared strategies as ``strategies`` from any subfolder.
sys.path.insert(0, os.path.dirname(__file__))

# CI (CI=true) replays a fixed example stream so a landing does not hinge on luck; local runs
# explore new examples each time (and hypothesis stores any failure it finds).
settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow],
    derandomize=os.environ.get("CI") == "true",
)
settings.register_profile(
    "dev", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))
QE_BENCHMARKS = os.path.join(ROOT, "benchmarks", "qe")


@pytest.fixture
def qepcad():
    """Path of the QEPCAD B binary; the test is skipped when it is not installed."""
    path = shutil.which("qepcad")
    if path is None:
        pytest.skip("QEPCAD B (qepcad) is not installed")
    return path


@pytest.fixture
def qe_benchmarks():
    """The folder of classic QE problems shipped in the repo (``benchmarks/qe``)."""
    return QE_BENCHMARKS
