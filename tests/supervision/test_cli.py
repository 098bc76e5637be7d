"""`certbridge draw …`: run a draw in two steps, export it, and verify it offline; tampering fails."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from certbridge.cli.main import app as cli


@pytest.fixture
def env(settings, monkeypatch):
    monkeypatch.setenv("CERTBRIDGE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CERTBRIDGE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CERTBRIDGE_LANG", "en")


def invoke(*args):
    result = CliRunner().invoke(cli, list(args))
    result.text = " ".join(result.output.split())  # Rich wraps long lines
    return result


def test_run_export_and_verify_a_draw_offline(env, certify, inspectors, batch, tmp_path):
    certify(6)
    inspectors(4)
    ids = batch(class_counts={"B": 3})
    ran = invoke("draw", "run", str(ids["batch"]))
    assert ran.exit_code == 0, ran.output
    assert "Committed draw 1" in ran.text and "Revealed draw 1: 3 objects drawn" in ran.text
    online = invoke("draw", "verify", "1")
    assert online.exit_code == 0 and "Draw 1 verified" in online.text
    path = tmp_path / "draw.json"
    assert invoke("draw", "export", "1", "-o", str(path)).exit_code == 0
    offline = invoke("draw", "verify", str(path))
    assert offline.exit_code == 0, offline.output
    assert "re-running it from the published inputs gives the same 3 objects" in offline.text

    document = json.loads(path.read_text(encoding="utf-8"))
    first = document["outputs"]["selected"][0]
    others = [i for i in document["inputs"]["inspectors"] if i not in first["inspectors"]]
    first["inspectors"][0] = others[0]  # someone swapped an inspector after the draw
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    failed = invoke("draw", "verify", str(tampered))
    assert failed.exit_code == 1 and "does NOT verify" in failed.text and "selection 1" in failed.text

    document = json.loads(path.read_text(encoding="utf-8"))
    document["inputs"]["objects"] = document["inputs"]["objects"][1:]  # an object quietly left out
    tampered.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    failed = invoke("draw", "verify", str(tampered))
    assert failed.exit_code == 1 and "committed digest" in failed.text


def test_verify_explains_a_bad_reference(env):
    result = invoke("draw", "verify", "no-such-file.json")
    assert result.exit_code == 1 and "neither a draw id nor an exported JSON file" in result.text
    missing = invoke("draw", "verify", "42")
    assert missing.exit_code == 1 and "No draw with id 42" in missing.text
