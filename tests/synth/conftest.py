"""One small region per test session (about a second to build), shared read-only by the synth tests."""

from __future__ import annotations

import json

import polars as pl
import pytest

from msoko.synth import generate_region

SEED = 20240417
YEARS = (2024, 2025)


@pytest.fixture(scope="session")
def region(tmp_path_factory):
    return generate_region(tmp_path_factory.mktemp("region"), seed=SEED, years=YEARS, schools=48)


@pytest.fixture(scope="session")
def vpr(region) -> pl.DataFrame:
    return pl.read_csv(region.files["vpr"], infer_schema_length=None)


@pytest.fixture(scope="session")
def gia(region) -> pl.DataFrame:
    return pl.read_csv(region.files["gia"], infer_schema_length=None)


@pytest.fixture(scope="session")
def truth(region) -> dict:
    return json.loads(region.files["ground_truth"].read_text(encoding="utf-8"))


def org_ids(truth: dict, key: str) -> list[str]:
    return [o["org_id"] for o in truth[key]]
