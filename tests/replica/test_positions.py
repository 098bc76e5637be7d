"""The read position a client carries is a token this server signed: forged and foreign ones carry nothing."""

from __future__ import annotations

from certbridge.replicas import parse_lsn
from certbridge.security.read_routing import position_key, read_position, sign_position

KEY = position_key("this instance's secret key")


def test_a_signed_position_reads_back():
    token = sign_position(KEY, parse_lsn("16/B374D848"))
    assert token.startswith("16/B374D848.")
    assert read_position(KEY, token) == parse_lsn("16/B374D848")
    assert read_position(KEY, f"  {token} ") == parse_lsn("16/B374D848")


def test_forged_foreign_and_malformed_positions_carry_nothing():
    token = sign_position(KEY, parse_lsn("16/B374D848"))
    mac = token.rpartition(".")[2]
    for bad in (None, "", "16/B374D848", "FFFFFFFF/FFFFFFFF", f"FFFFFFFF/FFFFFFFF.{mac}", token + "x",
                token[:-1], sign_position(position_key("another instance's secret key"), parse_lsn("16/B374D848")),
                "." + mac, token + "A" * 100, "１６/B374D848." + mac):
        assert read_position(KEY, bad) == 0, bad
