"""监管互认: recognizing a peer's spot-check results and penalties here (issue #21, part 3).

Every proven round mirrors the peer's published spot-check results (`inspection.result_published`) and its
penalty decisions (`penalty.decided`, and their `penalty.withdrawn` / `penalty.repaired`) as records of the
proven mirror (`federation_record`, subject types `spot_check` and `penalty`), each with the log index it was
read at and the checkpoint that proved it. Nothing unproven is ever mirrored (follow.py), so nothing unproven is
ever recognized.

A per-peer switch (`federation_recognition`) says whether those records count here. While it is on, each
record whose object is also known here — an organization or a body with the same USCC — is *recognized*: a
private ledger event `recognition.spot_check` or `recognition.penalty` (subject `recognized_fact`, id the
mirrored record's id) names the local object and the source (instance, label, log index, checkpoint). Credit,
risk and the draw's once-a-year rule read those events like their own (credit/recognized.py). Switching off,
or the peer withdrawing or repairing its penalty, records `recognition.withdrawn` for each recognized fact:
it stops counting from then on; draws already committed keep their inputs.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from certbridge.db import Base, utcnow
from certbridge.errors import NotFound
from certbridge.federation.models import FederationPeer, PeerRecord
from certbridge.i18n.catalog import render
from certbridge.kit.canonical_json import canonical_bytes
from certbridge.ledger.journal import record_event
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.registry.models import CertificationBody, Organization

FACT = "recognized_fact"  # the subject type of the recognition events; its id is the mirrored record's id
KINDS = {"inspection.result_published": "spot_check", "penalty.decided": "penalty",
         "penalty.withdrawn": "penalty", "penalty.repaired": "penalty"}
MATCHED = {"organization": Organization, "body": CertificationBody}  # matched here by USCC


class PeerRecognition(Base):
    """Whether a peer's spot-check results and penalties count here (监管互认), and who said so last."""

    __tablename__ = "federation_recognition"

    peer_id: Mapped[int] = mapped_column(ForeignKey("federation_peer.id", ondelete="CASCADE"), primary_key=True)
    recognize: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(200))


def recognizes(session: Session, peer_id: int) -> bool:
    """Tell whether the peer's spot-check results and penalties count here."""
    row = session.get(PeerRecognition, peer_id)
    return bool(row and row.recognize)


def _fact(event: dict[str, Any]) -> tuple[str, str, dict[str, Any]] | None:
    """Return (kind, the peer's subject id, fields) of a supervision event of the peer, or None."""
    kind, data = KINDS.get(event.get("type")), event.get("data") or {}
    subject_id = str((event.get("subject") or {}).get("id"))
    if kind == "spot_check":
        public = data.get("public")
        if not isinstance(public, dict):
            return None
        return kind, subject_id, {k: public.get(k) for k in (
            "object_type", "object_uscc", "object_name", "result", "date", "matter_code", "matter", "check_type",
            "authority", "published_on")}
    if kind == "penalty":
        state = data.get("state")
        if not isinstance(state, dict):
            return None
        if event["type"] == "penalty.decided":
            return kind, subject_id, {k: state.get(k) for k in (
                "subject_type", "party_uscc", "party_name", "decision_number", "violation_type", "decided_on",
                "minor", "authority")}
        return kind, subject_id, {k: state[k] for k in ("withdrawn_on", "repaired_on") if state.get(k)}
    return None


def mirror_round(session: Session, peer: FederationPeer, events: list[dict[str, Any]], *, size: int,
                 root: bytes) -> None:
    """Mirror a proven round's spot-check results and penalties; recognize them if the switch is on.

    Called by follow.sync_peer in the round's write transaction, after the round was proven against the
    checkpoint (`size`, `root`) and before the peer's proven size moves.
    """
    on = recognizes(session, peer.id)
    for event in events:
        found = _fact(event)
        if found is None:
            continue
        kind, subject_id, fields = found
        row = session.scalar(select(PeerRecord).where(PeerRecord.peer_id == peer.id, PeerRecord.subject_type == kind,
                                                      PeerRecord.subject_id == subject_id))
        if row is None:
            if event["type"] in ("penalty.withdrawn", "penalty.repaired"):
                continue  # its decision was proven before this version mirrored penalties
            source = {"seq": event["seq"], "checkpoint_size": size,
                      "checkpoint_root": base64.b64encode(root).decode("ascii")}
            row = PeerRecord(peer_id=peer.id, subject_type=kind, subject_id=subject_id, first_seq=event["seq"],
                             state=canonical_bytes({**fields, "source": source}).decode("utf-8"))
            session.add(row)
        else:
            row.state = canonical_bytes({**json.loads(row.state), **fields}).decode("utf-8")
        state = json.loads(row.state)
        row.key = state.get("object_uscc") if kind == "spot_check" else state.get("party_uscc")
        row.name = state.get("object_name") if kind == "spot_check" else state.get("party_name")
        row.last_seq = event["seq"]
        session.flush()
        if on:
            _settle(session, peer, row, reason="withdrawn_at_source")


def _local_object(session: Session, record: PeerRecord, state: dict[str, Any]) -> tuple[str, int] | None:
    kind = state.get("object_type") if record.subject_type == "spot_check" else state.get("subject_type")
    if record.subject_type == "penalty" and kind is None:  # the peer found no registry record: any by USCC
        kinds = list(MATCHED)
    else:
        kinds = [kind] if kind in MATCHED else []
    for kind in kinds if record.key else []:
        model = MATCHED[kind]
        local = session.scalar(select(model.id).where(model.uscc == record.key))
        if local is not None:
            return kind, local
    return None


def _source(peer: FederationPeer, record: PeerRecord, state: dict[str, Any]) -> dict[str, Any]:
    return {"instance": peer.name, "label": peer.label or peer.name, "subject_id": record.subject_id,
            **state["source"]}


def _settle(session: Session, peer: FederationPeer, record: PeerRecord, *, reason: str) -> None:
    """Recognize a mirrored record that should count and does not yet; withdraw one that counts and should not."""
    state = json.loads(record.state)
    counts = bool(state.get("recognized_seq"))
    live = not (state.get("withdrawn_on") or state.get("repaired_on"))
    local = _local_object(session, record, state) if live else None
    if local is not None and not counts:
        kind, object_id = local
        source = _source(peer, record, state)
        if record.subject_type == "spot_check":
            data = {"object_type": kind, "object_id": object_id, "object_uscc": record.key,
                    "object_name": state.get("object_name"), "result": state.get("result"),
                    "completed_on": state.get("date"), "matter_code": state.get("matter_code"),
                    "matter": state.get("matter"), "check_type": state.get("check_type"),
                    "authority": state.get("authority"), "source": source}
        else:
            data = {"state": {"subject_type": kind, "subject_id": object_id, "party_uscc": record.key,
                              "party_name": state.get("party_name"), "decision_number": state.get("decision_number"),
                              "violation_type": state.get("violation_type"), "decided_on": state.get("decided_on"),
                              "minor": bool(state.get("minor")), "authority": state.get("authority")},
                    "source": source}
        seq = record_event(session, type=f"recognition.{record.subject_type}", subject_type=FACT,
                           subject_id=record.id, actor=f"federation:{peer.name}", public=False, data=data)
        state["recognized_seq"], state["recognized_object"] = seq, [kind, object_id]
    elif counts and local is None:
        kind, object_id = state["recognized_object"]
        record_event(session, type="recognition.withdrawn", subject_type=FACT, subject_id=record.id,
                     actor=f"federation:{peer.name}", public=False,
                     data={"object_type": kind, "object_id": object_id, "reason": reason,
                           "recognized_seq": state["recognized_seq"], "source": _source(peer, record, state)})
        state["recognized_seq"] = state["recognized_object"] = None
    else:
        return
    record.state = canonical_bytes(state).decode("utf-8")
    session.flush()


def peer_id_of(session: Session, ref: str) -> int:
    """Return the id of a peer given by id or instance name."""
    found = session.scalar(select(FederationPeer.id).where(FederationPeer.name == ref.strip()))
    if found is None and ref.strip().isdigit():
        found = session.get(FederationPeer, int(ref)) and int(ref)
    if found is None:
        raise NotFound("federation.peer_not_found", id=ref)
    return found


def set_recognition(session: Session, *, principal: Principal, peer_id: int, on: bool) -> dict[str, Any]:
    """Switch 监管互认 with a peer on or off; recognize (or withdraw) its mirrored results and penalties now."""
    require_regulator(principal)
    peer = session.get(FederationPeer, peer_id, with_for_update=True)
    if peer is None:
        raise NotFound("federation.peer_not_found", id=peer_id)
    row = session.get(PeerRecognition, peer_id)
    if row is None:
        row = PeerRecognition(peer_id=peer_id, recognize=on, changed_by=principal.actor)
        session.add(row)
    row.recognize, row.changed_at, row.changed_by = on, utcnow(), principal.actor
    session.flush()
    record_event(session, type="federation.recognition_" + ("on" if on else "off"), subject_type="federation_peer",
                 subject_id=peer_id, actor=principal.actor, public=False,
                 data={"state": {"recognize": on}, "peer": peer.name})
    before = counted(session, peer_id)
    for record in session.scalars(select(PeerRecord).where(
            PeerRecord.peer_id == peer_id, PeerRecord.subject_type.in_(("spot_check", "penalty")))
            .order_by(PeerRecord.id)):
        if on:
            _settle(session, peer, record, reason="withdrawn_at_source")
        elif json.loads(record.state).get("recognized_seq"):
            _withdraw(session, peer, record)
    return {"peer": peer.name, "label": peer.label or peer.name, "recognize": on, "counted_before": before, "counted": counted(session, peer_id)}


def _withdraw(session: Session, peer: FederationPeer, record: PeerRecord) -> None:
    state = json.loads(record.state)
    kind, object_id = state["recognized_object"]
    record_event(session, type="recognition.withdrawn", subject_type=FACT, subject_id=record.id,
                 actor=f"federation:{peer.name}", public=False,
                 data={"object_type": kind, "object_id": object_id, "reason": "switched_off",
                       "recognized_seq": state["recognized_seq"], "source": _source(peer, record, state)})
    state["recognized_seq"] = state["recognized_object"] = None
    record.state = canonical_bytes(state).decode("utf-8")
    session.flush()


def counted(session: Session, peer_id: int) -> int:
    """Return how many of the peer's mirrored results and penalties count here now."""
    return sum(1 for state in session.scalars(select(PeerRecord.state).where(
        PeerRecord.peer_id == peer_id, PeerRecord.subject_type.in_(("spot_check", "penalty"))))
        if json.loads(state).get("recognized_seq"))


def recognized_records(session: Session, *, peer_id: int | None = None, lang: str = "zh") -> list[dict[str, Any]]:
    """Return the peers' mirrored spot-check results and penalties, each with its source and whether it counts."""
    stmt = (select(PeerRecord, FederationPeer).join(FederationPeer, FederationPeer.id == PeerRecord.peer_id)
            .where(PeerRecord.subject_type.in_(("spot_check", "penalty"))))
    if peer_id is not None:
        stmt = stmt.where(PeerRecord.peer_id == peer_id)
    out = []
    for record, peer in session.execute(stmt.order_by(PeerRecord.peer_id, PeerRecord.first_seq)):
        state = json.loads(record.state)
        local = state.get("recognized_object")
        fields = {k: v for k, v in state.items() if k not in ("source", "recognized_seq", "recognized_object")}
        out.append({"id": record.id, "kind": record.subject_type, "uscc": record.key, "name": record.name,
                    "label": render(f"recognition.source.{record.subject_type}", lang, peer=peer.label or peer.name),
                    "fields": fields, "source": _source(peer, record, state), "counts": bool(local),
                    "local_object": {"type": local[0], "id": local[1]} if local else None,
                    "recognized_seq": state.get("recognized_seq")})
    return out


def recognition_states(session: Session) -> dict[int, bool]:
    """Return {peer id: switched on} for every peer with a switch recorded."""
    return {r.peer_id: r.recognize for r in session.scalars(select(PeerRecognition))}
