"""Two instances never share a log origin by default, and an existing data directory keeps its origin."""

from __future__ import annotations

from certbridge.ledger.keys import log_origin, signer_key
from certbridge.settings import Settings


def test_two_data_directories_get_different_origins_that_stay_put(tmp_path):
    first = Settings(data_dir=tmp_path / "a", secret_key="x")
    second = Settings(data_dir=tmp_path / "b", secret_key="x")
    assert log_origin(first) != log_origin(second)
    assert "certbridge.local" not in (first.instance_name, second.instance_name)
    signer_key(first, "log")  # the first key fixes the name
    assert (tmp_path / "a" / "keys" / "instance-name").read_text().strip() == first.instance_name
    later = Settings(data_dir=tmp_path / "a", secret_key="x", public_url="https://certs.example.org")
    assert log_origin(later) == log_origin(first)


def test_a_configured_public_host_names_a_new_instance(tmp_path):
    settings = Settings(data_dir=tmp_path, secret_key="x", public_url="https://certs.beihai.example")
    assert log_origin(settings) == "certs.beihai.example/log"


def test_an_existing_data_directory_keeps_the_old_default_origin(tmp_path):
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "log.key").write_text("made before instance names were unique\n")
    settings = Settings(data_dir=tmp_path, secret_key="x")
    assert log_origin(settings) == "certbridge.local/log"


def test_an_explicit_name_wins(tmp_path):
    assert log_origin(Settings(data_dir=tmp_path, instance_name="witness.test")) == "witness.test/log"
