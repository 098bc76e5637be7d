"""C2SP signed notes, checkpoints and cosignatures."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from certbridge.kit import signed_note
from certbridge.kit.signed_note import (
    Checkpoint,
    CosignatureSigner,
    CosignatureVerifier,
    InvalidCheckpointError,
    InvalidKeyError,
    InvalidNoteError,
    InvalidSignatureError,
    Note,
    Signature,
    Signer,
    UnverifiedNoteError,
    Verifier,
    format_checkpoint,
    generate_key,
    key_id,
    parse_checkpoint,
    sign,
)

TESTDATA = Path(__file__).resolve().parents[3] / "shared" / "testdata"
C2SP_EXAMPLE = TESTDATA / "c2sp-signed-note.txt"

# The example of Go's golang.org/x/mod/sumdb/note documentation and tests.
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_SIG = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
ENOCH_SIG = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
PETER = Signature("PeterNeumann", 0xC74F20A3, PETER_SIG.split(" ")[2].strip())
ENOCH = Signature("EnochRoot", 0xAF0CFE78, ENOCH_SIG.split(" ")[2].strip())


def c2sp_example() -> tuple[str, bytes]:
    assert C2SP_EXAMPLE.is_file(), f"test data missing: expected {C2SP_EXAMPLE}"
    vkey, _, msg = C2SP_EXAMPLE.read_bytes().partition(b"\n")
    return vkey.decode(), msg


# --- the C2SP example ---------------------------------------------------------------


def test_c2sp_example_verifies() -> None:
    vkey, msg = c2sp_example()
    note = signed_note.open(msg, [Verifier(vkey)])
    assert note.text == "This is an example message.\n"
    assert [s.name for s in note.sigs] == ["example.com/foo"]
    assert note.sigs[0].key_id == 0x530D903A
    assert note.unverified_sigs == ()


@pytest.mark.parametrize("position", range(len(c2sp_example()[1])))
def test_changing_any_byte_of_the_c2sp_example_fails(position: int) -> None:
    vkey, msg = c2sp_example()
    verifier = Verifier(vkey)
    for mask in (0x01, 0x02, 0x20, 0x80, 0xFF):
        tampered = bytearray(msg)
        tampered[position] ^= mask
        with pytest.raises((InvalidNoteError, UnverifiedNoteError)):
            signed_note.open(bytes(tampered), [verifier])


# --- keys ---------------------------------------------------------------------------


def test_key_ids_follow_the_spec() -> None:
    verifier = Verifier(PETER_VKEY)
    assert verifier.key_id == 0xC74F20A3 == key_id("PeterNeumann", 0x01, verifier.public_key)
    assert Signer(PETER_SKEY).key_id == verifier.key_id
    assert Signer(PETER_SKEY).verifier_key == PETER_VKEY == verifier.verifier_key


@pytest.mark.parametrize(("parse", "good"), [(Verifier, PETER_VKEY), (Signer, PETER_SKEY)], ids=["verifier", "signer"])
def test_mangled_keys_are_rejected(parse: type, good: str) -> None:
    # As Go's TestNewVerifier / TestNewSigner: every proper substring and every one-character change fails.
    parse(good)
    for i in range(len(good) + 1):
        for j in range(i + 1, len(good) + 1):
            if (i, j) != (0, len(good)):
                with pytest.raises(InvalidKeyError):
                    parse(good[i:j])
    for i in range(len(good)):
        with pytest.raises(InvalidKeyError):
            parse(good[:i] + chr(ord(good[i]) + 1) + good[i + 1 :])


def test_wrong_key_lengths_and_types_are_rejected() -> None:
    long_key = Verifier(PETER_VKEY).public_key + b"!"
    long_id = key_id("PeterNeumann", 0x01, long_key)
    encoded = base64.b64encode(bytes([0x01]) + long_key).decode()
    with pytest.raises(InvalidKeyError, match="32-byte"):
        Verifier(f"PeterNeumann+{long_id:08x}+{encoded}")
    with pytest.raises(InvalidKeyError, match="signature type"):
        Verifier("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    with pytest.raises(InvalidKeyError, match="declares key ID"):
        Verifier("PeterNeumann+00000000+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    with pytest.raises(InvalidKeyError):
        generate_key("bad name")


def test_generated_keys_sign_and_open() -> None:
    skey, vkey = generate_key("certbridge.example/ledger")
    assert skey.startswith("PRIVATE+KEY+certbridge.example/ledger+")
    signer, verifier = Signer(skey), Verifier(vkey)
    assert signer.verifier_key == vkey
    msg = sign("第一行\nsecond line\n", [signer])
    note = signed_note.open(msg, [verifier])
    assert note.text == "第一行\nsecond line\n"
    assert note.sigs[0].name == "certbridge.example/ledger"
    other_skey, other_vkey = generate_key("certbridge.example/ledger")
    with pytest.raises(UnverifiedNoteError):
        signed_note.open(msg, [Verifier(other_vkey)])


# --- sign ---------------------------------------------------------------------------


def test_sign_matches_go() -> None:
    signer = Signer(PETER_SKEY)
    assert sign(TEXT, [signer]) == TEXT + "\n" + PETER_SIG
    # An existing signature by the same key is replaced, not duplicated.
    stale = Note(TEXT, (Signature("PeterNeumann", 0xC74F20A3, "BADSIGN="),))
    assert sign(stale, [signer]) == TEXT + "\n" + PETER_SIG
    # Other signatures are kept, before the new ones.
    assert sign(Note(TEXT, (ENOCH,)), [signer]) == TEXT + "\n" + ENOCH_SIG + PETER_SIG


def test_sign_rejects_bad_input() -> None:
    signer = Signer(PETER_SKEY)
    with pytest.raises(InvalidNoteError, match="end with a newline"):
        sign("abc", [signer])
    with pytest.raises(InvalidNoteError, match="control characters"):
        sign("a\tb\n", [signer])
    with pytest.raises(InvalidNoteError):
        sign(Note(TEXT, (Signature("a+b", 0, "ABCD"),)), [])
    with pytest.raises(InvalidNoteError):
        sign(Note(TEXT, (Signature("PeterNeumann", 0xC74F20A3, "BADHASH="),)), [])


# --- open ---------------------------------------------------------------------------


def test_open_sorts_verified_from_unverified() -> None:
    peter, enoch = Verifier(PETER_VKEY), Verifier(ENOCH_VKEY)
    msg = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    note = signed_note.open(msg, [peter])
    assert note == Note(TEXT, (PETER,), (ENOCH,))
    assert signed_note.open(msg, [peter, enoch]) == Note(TEXT, (PETER, ENOCH), ())
    with pytest.raises(UnverifiedNoteError) as raised:
        signed_note.open(msg, [])
    assert raised.value.note == Note(TEXT, (), (PETER, ENOCH))


def test_open_drops_duplicate_signatures() -> None:
    bad_enoch = ENOCH_SIG[:60] + "ABCD" + ENOCH_SIG[60:]
    msg = TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG + bad_enoch
    note = signed_note.open(msg, [Verifier(PETER_VKEY)])
    assert note.sigs == (PETER,)
    assert note.unverified_sigs == (ENOCH, Signature("EnochRoot", 0xAF0CFE78, bad_enoch.split(" ")[2].strip()))


def test_open_rejects_a_bad_signature_by_a_known_key() -> None:
    msg = TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(InvalidSignatureError, match="PeterNeumann\\+c74f20a3"):
        signed_note.open(msg, [Verifier(PETER_VKEY)])


def test_open_with_ambiguous_verifiers() -> None:
    peter, enoch = Verifier(PETER_VKEY), Verifier(ENOCH_VKEY)
    with pytest.raises(ValueError, match="ambiguous key EnochRoot\\+af0cfe78"):
        signed_note.open(TEXT + "\n" + ENOCH_SIG, [enoch, peter, enoch])
    signed_note.open(TEXT + "\n" + PETER_SIG, [enoch, peter, enoch])  # unused ambiguity is harmless


def test_open_limits_the_number_of_signatures() -> None:
    for verifiers in ([Verifier(PETER_VKEY)], []):
        with pytest.raises(InvalidNoteError, match="more than 100"):
            signed_note.open(TEXT + "\n" + PETER_SIG * 101, verifiers)
    assert signed_note.open(TEXT + "\n" + PETER_SIG * 100, [Verifier(PETER_VKEY)]).sigs == (PETER,)


@pytest.mark.parametrize(
    "msg",
    [
        TEXT.encode(),
        (TEXT + "\n").encode(),
        (TEXT + "\n" + PETER_SIG[:-1]).encode(),
        ("\x01" + TEXT + "\n" + PETER_SIG).encode(),
        b"\xff" + (TEXT + "\n" + PETER_SIG).encode(),
        (TEXT + "\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=").encode(),
        (TEXT + "\n" + PETER_SIG + "Unexpected line.\n").encode(),
        (TEXT + "\n- PeterNeumann" + PETER_SIG[len("— PeterNeumann") :]).encode(),  # hyphen, not em dash
        (TEXT + "\n— PeterNeumann\n").encode(),
        (TEXT + "\n— PeterNeumann x08g\n").encode(),  # shorter than key ID plus one byte
        (TEXT + "\n" + PETER_SIG.replace("M=", "N=")).encode(),  # non-canonical base64
        (TEXT + "\r\n" + PETER_SIG).encode(),
        "\ud800\n\n".encode("utf-8", "surrogatepass"),
    ],
    ids=lambda m: repr(m[-30:]),
)
def test_open_rejects_malformed_notes(msg: bytes) -> None:
    with pytest.raises(InvalidNoteError):
        signed_note.open(msg, [Verifier(PETER_VKEY)])


def test_open_accepts_str_and_rejects_lone_surrogates() -> None:
    assert signed_note.open(TEXT + "\n" + PETER_SIG, [Verifier(PETER_VKEY)]).text == TEXT
    with pytest.raises(InvalidNoteError, match="UTF-8"):
        signed_note.open("\ud800" + TEXT + "\n" + PETER_SIG, [Verifier(PETER_VKEY)])


def test_key_names_follow_go_unicode_spaces() -> None:
    assert signed_note.is_valid_key_name("example.com/日志")
    for bad in ["", "a b", "a+b", "a\u3000b", "a\u00a0b", "a\u2028b", "a\tb"]:
        assert not signed_note.is_valid_key_name(bad)


# --- checkpoints --------------------------------------------------------------------

SOFA = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"


def test_checkpoint_round_trip() -> None:
    cp = parse_checkpoint(SOFA)
    assert cp == Checkpoint("example.com/behind-the-sofa", 20852163, base64.b64decode(SOFA.split("\n")[2]))
    assert format_checkpoint(cp.origin, cp.size, cp.root_hash) == SOFA == cp.text()
    with_ext = format_checkpoint("log.example/北海", 0, bytes(32), ["ext one", "— two"])
    assert with_ext == "log.example/北海\n0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\next one\n— two\n"
    assert parse_checkpoint(with_ext).extensions == ("ext one", "— two")


@pytest.mark.parametrize(
    "text",
    [
        SOFA[:-1],  # no final newline
        "example.com/x\n5\n",
        "\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n05\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n+5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n 5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n١\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        f"o\n{1 << 64}\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2\n",
        "o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",  # stray padding bits
        "o\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",  # 30 bytes
        "o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n",  # empty extension line
        "o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\nbad\tline\n",
    ],
)
def test_malformed_checkpoints_are_rejected(text: str) -> None:
    with pytest.raises(InvalidCheckpointError):
        parse_checkpoint(text)


def test_format_checkpoint_validates() -> None:
    for args in [("", 1, bytes(32)), ("a\nb", 1, bytes(32)), ("o", -1, bytes(32)), ("o", 1, bytes(31))]:
        with pytest.raises(InvalidCheckpointError):
            format_checkpoint(*args)
    with pytest.raises(InvalidCheckpointError):
        format_checkpoint("o", 1, bytes(32), [""])


# --- cosignatures -------------------------------------------------------------------

WHEN = 1679315147


def cosigner() -> tuple[str, CosignatureSigner]:
    skey, vkey = generate_key("witness.example/w1")
    return vkey, CosignatureSigner(skey, clock=lambda: WHEN)


def test_cosignature_round_trip_returns_the_timestamp() -> None:
    vkey, witness = cosigner()
    log_skey, log_vkey = generate_key("example.com/behind-the-sofa")
    signed = sign(SOFA, [Signer(log_skey)])
    note = signed_note.open(signed, [Verifier(log_vkey)])
    cosigned = sign(note, [witness])
    for verifier_key in (vkey, witness.verifier_key):  # plain 0x01 key or cosignature 0x04 key
        opened = signed_note.open(cosigned, [Verifier(log_vkey), CosignatureVerifier(verifier_key)])
        assert [s.timestamp for s in opened.sigs] == [None, WHEN]
    # The cosignature's key ID uses type 0x04, so a plain Ed25519 verifier does not even try it.
    assert witness.key_id == key_id("witness.example/w1", 0x04, witness.public_key) != Verifier(vkey).key_id
    with pytest.raises(UnverifiedNoteError):
        signed_note.open(sign(SOFA, [witness]), [Verifier(vkey)])


def test_cosignature_signs_the_spec_message() -> None:
    _, witness = cosigner()
    line = sign(SOFA, [witness]).split("\n")[-2]
    raw = base64.b64decode(line.split(" ")[2])
    assert int.from_bytes(raw[:4], "big") == witness.key_id
    assert int.from_bytes(raw[4:12], "big") == WHEN
    message = f"cosignature/v1\ntime {WHEN}\n{SOFA}".encode()
    Ed25519PublicKey.from_public_bytes(witness.public_key).verify(raw[12:], message)


def test_tampered_cosignatures_fail() -> None:
    vkey, witness = cosigner()
    verifier = CosignatureVerifier(vkey)
    cosigned = sign(SOFA, [witness])
    # Another checkpoint body under the same signature line.
    other = SOFA.replace("20852163", "20852164") + cosigned[len(SOFA) :]
    with pytest.raises(InvalidSignatureError):
        signed_note.open(other, [verifier])
    # Another timestamp under the same signature.
    text, _, line = cosigned.rpartition("\n— ")
    name, b64 = line.strip().split(" ")
    raw = bytearray(base64.b64decode(b64))
    raw[11] ^= 1
    moved = f"{text}\n— {name} {base64.b64encode(bytes(raw)).decode()}\n"
    with pytest.raises(InvalidSignatureError):
        signed_note.open(moved, [verifier])
    raw[11] ^= 1
    raw[4] = 0x80  # timestamps above 2^63-1 are invalid
    with pytest.raises(InvalidSignatureError):
        signed_note.open(f"{text}\n— {name} {base64.b64encode(bytes(raw)).decode()}\n", [verifier])


def test_cosigners_only_sign_checkpoints() -> None:
    _, witness = cosigner()
    with pytest.raises(InvalidCheckpointError):
        sign("just some text\n", [witness])


def test_cosignature_keys_are_checked() -> None:
    skey, vkey = generate_key("witness.example/w1")
    name, kid, key64 = vkey.split("+", 2)
    with pytest.raises(InvalidKeyError, match="declares key ID"):
        CosignatureVerifier(f"{name}+00000000+{key64}")
    with pytest.raises(InvalidKeyError):
        Verifier(CosignatureSigner(skey).verifier_key)  # a 0x04 key is not a plain note key
    assert CosignatureVerifier(CosignatureSigner(skey).verifier_key).key_id == CosignatureSigner(skey).key_id
