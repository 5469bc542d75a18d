"""``newsdesk build --ray`` on a real local Ray (started in-process with this machine's
CPUs, two here) gives the vectors of a plain build, passage by passage."""

from __future__ import annotations

import os

import numpy as np
import pytest
from conftest import make_corpus

import app.engines  # noqa: F401  (gRPC fork handlers off before Ray imports grpc)

if os.environ.get("CI") != "true":  # under CI (make test installs the extra) a missing Ray fails
    pytest.importorskip("ray", reason="Ray is the optional extra: pip install -e '.[scale]'")
pytestmark = pytest.mark.integration


def vectors_by_id(folder) -> dict[str, np.ndarray]:
    from app.index.store import StoredIndex

    index = StoredIndex(folder)
    matrix = np.asarray(index.all_vectors())
    return {index.passages[int(r)].passage_id: matrix[r] for r in index.live_rows()}


def test_build_with_ray_gives_the_plain_vectors(tmp_path, capsys):
    from app.cli import main

    news = make_corpus(tmp_path / "news")
    assert main(["build", "--seeds", str(news), "--out", str(tmp_path / "plain"), "--json"]) == 0
    assert main(["build", "--seeds", str(news), "--out", str(tmp_path / "ray"), "--ray", "--json"]) == 0
    plain, ray = vectors_by_id(tmp_path / "plain"), vectors_by_id(tmp_path / "ray")
    assert plain.keys() == ray.keys() and len(plain) > 20
    for passage_id, vector in plain.items():
        np.testing.assert_allclose(ray[passage_id], vector, atol=1e-6)  # float noise of batching at most
