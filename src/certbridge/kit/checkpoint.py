"""C2SP tlog-checkpoint note bodies: origin, tree size, root hash, extension lines.

Only the text; signing and verifying it is `signed_note`'s job, which also
re-exports these names.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Checkpoint", "InvalidCheckpointError", "format_checkpoint", "parse_checkpoint"]

_ROOT_HASH_SIZE = 32
_MAX_TREE_SIZE = (1 << 64) - 1  # sizes are uint64 everywhere else in the ecosystem
_SIZE = re.compile(r"0|[1-9][0-9]*")
_CONTROL = re.compile(r"[\x00-\x1f]")


class InvalidCheckpointError(ValueError):
    """A checkpoint body did not follow c2sp.org/tlog-checkpoint."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A parsed checkpoint body."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        """Return the checkpoint as note text, ready to sign."""
        return format_checkpoint(self.origin, self.size, self.root_hash, self.extensions)


def format_checkpoint(origin: str, size: int, root_hash: bytes, extensions: Iterable[str] = ()) -> str:
    """Return the note text of a checkpoint, each line ending in a newline."""
    extensions = tuple(extensions)
    _check_line("origin", origin)
    if not 0 <= size <= _MAX_TREE_SIZE:
        raise InvalidCheckpointError(f"tree size must be between 0 and 2^64-1, got {size}")
    if len(root_hash) != _ROOT_HASH_SIZE:
        raise InvalidCheckpointError(f"root hash must be {_ROOT_HASH_SIZE} bytes, got {len(root_hash)}")
    for i, line in enumerate(extensions):
        _check_line(f"extension line {i + 1}", line)
    lines = [origin, str(size), base64.b64encode(root_hash).decode("ascii"), *extensions]
    return "\n".join(lines) + "\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse checkpoint note text strictly, rejecting anything format_checkpoint would not write."""
    if not text.endswith("\n"):
        raise InvalidCheckpointError("checkpoint text must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise InvalidCheckpointError(f"checkpoint needs origin, size and root hash lines, got {len(lines)} lines")
    origin, size_line, root_line, *extensions = lines
    _check_line("origin", origin)
    if not _SIZE.fullmatch(size_line) or int(size_line) > _MAX_TREE_SIZE:
        raise InvalidCheckpointError(
            f"tree size line {size_line!r} is not a decimal number without leading zeros below 2^64"
        )
    try:
        root_hash = base64.b64decode(root_line, validate=True)
    except binascii.Error:
        root_hash = b""
    if len(root_hash) != _ROOT_HASH_SIZE or base64.b64encode(root_hash).decode("ascii") != root_line:
        raise InvalidCheckpointError(f"root hash line {root_line!r} is not the base64 of a 32-byte hash")
    for i, line in enumerate(extensions):
        _check_line(f"extension line {i + 1}", line)
    return Checkpoint(origin, int(size_line), root_hash, tuple(extensions))


def _check_line(what: str, line: str) -> None:
    """Reject an empty line, or one a signed note could not carry."""
    if not line:
        raise InvalidCheckpointError(f"checkpoint {what} must not be empty")
    if _CONTROL.search(line):
        raise InvalidCheckpointError(f"checkpoint {what} must not contain newlines or control characters")
