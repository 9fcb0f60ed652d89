"""Outputs recorded before the layout change (issue 14) must stay identical.

``tests/data/golden/record.py`` ran the commands below on the code before the change and
wrote ``outputs.json``; here the same commands run on the current code.  Only timings are
stripped.  Re-record (and review the diff) when a change of behaviour is intended.
"""

import importlib.util
import json
import os

import pytest

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "data", "golden")
_spec = importlib.util.spec_from_file_location("golden_record", os.path.join(GOLDEN, "record.py"))
record = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(record)

with open(os.path.join(GOLDEN, "outputs.json"), encoding="utf-8") as _fh:
    EXPECTED = json.load(_fh)


@pytest.mark.parametrize("preset", sorted(EXPECTED["check"]))
def test_check_output_unchanged(preset):
    assert record.check_outputs(preset) == EXPECTED["check"][preset]


@pytest.mark.parametrize("shape", sorted(EXPECTED["census"]))
def test_census_unchanged(shape):
    assert record.census_rows(shape) == EXPECTED["census"][shape]


@pytest.mark.parametrize("name", sorted(EXPECTED["qe"]))
def test_cad_qe_output_unchanged(name):
    assert record.qe_output(name) == EXPECTED["qe"][name]


def test_every_recorded_benchmark_file_is_still_shipped():
    assert sorted(EXPECTED["qe"]) == record.qe_files()
