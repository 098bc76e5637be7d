"""`certbridge uscc`: verdicts, reasons and exit codes."""

from typer.testing import CliRunner

from certbridge.cli.main import app


def test_valid_codes_exit_zero(monkeypatch):
    monkeypatch.setenv("CERTBRIDGE_LANG", "en")
    result = CliRunner().invoke(app, ["uscc", "91350100M000100Y43"])
    assert result.exit_code == 0 and "valid" in result.output


def test_checksum_failure_names_the_expected_character(monkeypatch):
    monkeypatch.setenv("CERTBRIDGE_LANG", "zh")
    result = CliRunner().invoke(app, ["uscc", "91350100M000100Y43", "91350100M000100Y44"])
    assert result.exit_code == 1
    assert "需人工核查" in result.output and "“3”" in result.output


def test_malformed_code_exits_two_with_reason(monkeypatch):
    monkeypatch.setenv("CERTBRIDGE_LANG", "en")
    result = CliRunner().invoke(app, ["uscc", "9135010"])
    assert result.exit_code == 2 and "18" in result.output
