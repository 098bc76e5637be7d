"""`certbridge ledger …`: integrate, verify, check proofs offline, rotate keys, configure witnesses."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from certbridge.cli.context import console, context, err_console, reporting_domain_errors

ledger_app = typer.Typer(help="The traceability log (追溯日志): verify it, check proofs offline, manage keys and "
                              "witnesses.", no_args_is_help=True)
witness_app = typer.Typer(help="Witnesses: who cosigns our checkpoints, and which logs we witness.",
                          no_args_is_help=True)
ledger_app.add_typer(witness_app, name="witness")


def _t(code: str, **params) -> str:
    from certbridge.i18n.catalog import render

    return render(code, context().lang, **params)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        err_console.print(f"[red]✘[/red] {_t('offline.file_unreadable', path=str(path), detail=exc.strerror)}", soft_wrap=True)
        raise typer.Exit(2) from None


def _fail(exc) -> None:
    err_console.print(f"[red]✘[/red] {_t(exc.code, **exc.params)}", soft_wrap=True)
    raise typer.Exit(1)


@ledger_app.command("integrate")
def integrate_command() -> None:
    """Hash committed events into the tree, sign a checkpoint, and ask the witnesses to cosign it."""
    import httpx

    from certbridge.ledger.integrate import integrate_pending
    from certbridge.ledger.witnessing import request_cosignatures

    ctx = context()
    result = reporting_domain_errors(lambda: integrate_pending(ctx.sessions, settings=ctx.settings))
    if result is None:
        console.print("日志已是最新 / nothing to integrate", soft_wrap=True)
    else:
        console.print(f"已入树 / integrated {result.old_size} → {result.size}", soft_wrap=True)
    with httpx.Client(timeout=10) as http:
        for outcome in request_cosignatures(ctx.sessions, http=http):
            mark = "[green]✔[/green]" if outcome.ok else "[red]✘[/red]"
            console.print(f"{mark} {outcome.witness}: {outcome.detail}", soft_wrap=True)


@ledger_app.command("checkpoint")
def checkpoint_command(size: int = typer.Option(None, help="Tree size (default: the latest checkpoint)")) -> None:
    """Print a signed checkpoint note (save it to check consistency later)."""
    from certbridge.db import read_session
    from certbridge.ledger.proofs import checkpoint_at, latest_checkpoint, served_note

    ctx = context()
    with read_session(ctx.sessions) as session:
        cp = reporting_domain_errors(lambda: checkpoint_at(session, size) if size is not None else latest_checkpoint(session))
        typer.echo(served_note(session, cp), nl=False)


@ledger_app.command("keys")
def keys_command() -> None:
    """List every verifier key this instance has used, with when it was in use."""
    from certbridge.db import read_session
    from certbridge.ledger.keys import known_keys

    with read_session(context().sessions) as session:
        for k in known_keys(session):
            until = k.valid_until.isoformat(timespec="seconds") if k.valid_until else "—"
            console.print(f"{k.purpose:<10} {k.valid_from.isoformat(timespec='seconds')} → {until}  {k.verifier_key}",
                          soft_wrap=True)


@ledger_app.command("rotate-key")
def rotate_key_command(purpose: str = typer.Option("log", help="log | witness | credential")) -> None:
    """Replace a signing key; the old one is retired (kept on record) so all it signed stays verifiable."""
    from certbridge.db import write_session
    from certbridge.ledger import keys
    from certbridge.ledger.rotation import rotate_key
    from certbridge.principal import SYSTEM

    ctx = context()
    pending = reporting_domain_errors(lambda: keys.prepare_rotation(ctx.settings, purpose))
    try:
        with write_session(ctx.sessions) as session:
            old, new, _cp = reporting_domain_errors(lambda: rotate_key(session, principal=SYSTEM, settings=ctx.settings,
                                                              purpose=purpose, new_signer_key=pending))
            old_key, new_key = old.verifier_key, new.verifier_key
    except BaseException:
        keys.abandon_rotation(ctx.settings, purpose)
        raise
    keys.swap_key_files(ctx.settings, purpose)
    console.print(f"已停用 / retired: {old_key}", soft_wrap=True)
    console.print(f"新密钥 / new key: {new_key}", soft_wrap=True)
    console.print("其他服务器请复制新的密钥文件 / copy the new key file to every other app server: "
                  f"{keys.key_path(ctx.settings, purpose)}", soft_wrap=True)


def _record_verdict(sessions, report, *, full: bool) -> None:
    """Tell the integrity monitor what `ledger verify` found: problems degrade; a clean full run clears."""
    from certbridge.db import write_session
    from certbridge.ledger.integrity import record_verified

    if report.ok and not full:
        return
    problems = [{"code": p.code, "params": p.params} for p in report.problems]
    with write_session(sessions) as session:
        top = session.connection().exec_driver_sql("SELECT max(id) FROM certificate").scalar() or 0
        record_verified(session, problems=problems, size=report.events, tree=report.tree_size, certificate=top)


@ledger_app.command("verify")
def verify_command(replay: bool = typer.Option(True, help="Also replay the log against the current rows"),
                   as_json: bool = typer.Option(False, "--json", help="Print the report as JSON")) -> None:
    """Verify the log: event hashes, the Merkle tree, checkpoint signatures, and state replay (exit 1 on any problem)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from certbridge.db import read_session
    from certbridge.ledger.verify import MAX_REPORTED, verify_everything

    ctx = context()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err_console, transient=True, disable=as_json) as bar:
        tasks: dict[str, int] = {}

        def progress(phase: str, advance: int, total: int) -> None:
            if phase not in tasks:
                label = _t("ledger.verify.phase.log") if phase == "log" else _t("ledger.verify.phase.state", kind=phase)
                tasks[phase] = bar.add_task(label, total=total)
            bar.advance(tasks[phase], advance)

        with read_session(ctx.sessions) as session:
            report = verify_everything(session, progress, replay=replay)
    _record_verdict(ctx.sessions, report, full=replay)
    if as_json:
        typer.echo(json.dumps({"ok": report.ok, "events": report.events, "tree_size": report.tree_size,
                               "checkpoints": report.checkpoints, "subjects": report.subjects,
                               "counts": report.counts,
                               "problems": [{"code": p.code, **p.params, "message": _t(p.code, **p.params)}
                                            for p in report.problems]}, ensure_ascii=False, indent=1))
        raise typer.Exit(0 if report.ok else 1)
    console.print(f"[bold]{_t('ledger.verify.title')}[/bold] — " + _t(
        "ledger.verify.summary", events=report.events, tree=report.tree_size, checkpoints=report.checkpoints,
        subjects=sum(report.subjects.values())), soft_wrap=True)
    if report.ok:
        console.print(f"[green]✔[/green] {_t('ledger.verify.ok')}", soft_wrap=True)
        return
    console.print(f"[red]✘[/red] {_t('ledger.verify.failed', count=sum(report.counts.values()))}", soft_wrap=True)
    for problem in report.problems:
        console.print(f"  • {_t(problem.code, **problem.params)}", soft_wrap=True)
    for code, count in report.counts.items():
        if count > MAX_REPORTED:
            console.print("  " + _t("ledger.verify.more", count=count - MAX_REPORTED), soft_wrap=True)
    raise typer.Exit(1)


def _keys(values: list[str] | None) -> list[str]:
    return [v.strip() for v in values or [] if v.strip()]


@ledger_app.command("check-inclusion")
def check_inclusion_command(
    bundle: Path = typer.Option(..., help="Proof bundle JSON (from …/history/{seq}/proof or /ledger/events/{seq}/proof)"),
    key: list[str] = typer.Option(..., help="The log's verifier key you trust (repeatable, e.g. old and new)"),
    checkpoint: Path = typer.Option(None, help="A checkpoint note you trust (default: the one in the bundle)"),
    witness_key: list[str] = typer.Option(None, help="A witness cosignature key you trust (repeatable)"),
    min_cosignatures: int = typer.Option(0, help="Require this many valid witness cosignatures"),
) -> None:
    """Check offline that an event is in a checkpoint signed by the log's key (no server trusted)."""
    from certbridge.ledger.offline import OfflineCheckError, check_inclusion

    try:
        data = json.loads(_read(bundle))
        result = check_inclusion(data, log_keys=_keys(key), witness_keys=_keys(witness_key),
                                 checkpoint_note=_read(checkpoint) if checkpoint else None,
                                 min_cosignatures=min_cosignatures)
    except OfflineCheckError as exc:
        _fail(exc)
    except ValueError:
        _fail(OfflineCheckError("offline.bad_bundle"))
    console.print(f"[green]✔[/green] {_t('offline.ok_inclusion', index=result['index'], origin=result['origin'], size=result['tree_size'])}", soft_wrap=True)
    if result["event"]:
        event = result["event"]
        console.print(f"  {event['type']} · {event['subject']['type']} {event['subject']['id']} · {event['at']} · {event['actor']}", soft_wrap=True)
    console.print("  " + _t("offline.signed_by", keys=", ".join(result["signed_by"])), soft_wrap=True)
    if result["cosigned_by"]:
        console.print("  " + _t("offline.cosigned_by", keys=", ".join(result["cosigned_by"])), soft_wrap=True)


@ledger_app.command("check-consistency")
def check_consistency_command(
    old: Path = typer.Argument(..., help="The older checkpoint note you saved"),
    new: Path = typer.Argument(..., help="The newer checkpoint note"),
    proof: Path = typer.Option(..., help="Consistency proof JSON (GET /api/v1/ledger/proof/consistency?old=&new=)"),
    key: list[str] = typer.Option(..., help="The log's verifier key you trust (repeatable)"),
) -> None:
    """Check offline that the newer checkpoint extends the older one: the log was only appended to."""
    from certbridge.ledger.offline import OfflineCheckError, check_consistency

    try:
        result = check_consistency(_read(old), _read(new), json.loads(_read(proof)), log_keys=_keys(key))
    except OfflineCheckError as exc:
        _fail(exc)
    except ValueError:
        _fail(OfflineCheckError("offline.bad_bundle"))
    console.print(f"[green]✔[/green] {_t('offline.ok_consistency', origin=result['origin'], old=result['old_size'], new=result['new_size'])}", soft_wrap=True)


@witness_app.command("add")
def witness_add(url: str = typer.Argument(..., help="The witness's submission prefix, e.g. https://w.example/witness"),
                vkey: str = typer.Argument(..., help="The witness's cosignature verifier key")) -> None:
    """Ask this witness to cosign every new checkpoint of our log."""
    from certbridge.db import write_session
    from certbridge.ledger.witnessing import add_witness
    from certbridge.principal import SYSTEM

    with write_session(context().sessions) as session:
        row = reporting_domain_errors(lambda: add_witness(session, principal=SYSTEM, url=url, verifier_key=vkey))
        console.print(f"✔ #{row.id} {row.name} {row.url}", soft_wrap=True)


@witness_app.command("remove")
def witness_remove(witness_id: int = typer.Argument(..., help="Witness number from `witness list`")) -> None:
    """Stop asking a witness (its past cosignatures stay)."""
    from certbridge.db import write_session
    from certbridge.ledger.witnessing import remove_witness
    from certbridge.principal import SYSTEM

    with write_session(context().sessions) as session:
        row = reporting_domain_errors(lambda: remove_witness(session, principal=SYSTEM, witness_id=witness_id))
        console.print(f"✔ #{row.id} {row.name} — inactive", soft_wrap=True)


@witness_app.command("list")
def witness_list() -> None:
    """List the witnesses we ask, and how they last answered."""
    from certbridge.db import read_session
    from certbridge.ledger.witnessing import list_witnesses

    with read_session(context().sessions) as session:
        for w in list_witnesses(session):
            state = "active" if w.active else "inactive"
            console.print(f"#{w.id} {w.name} {w.url} [{state}] size {w.last_size} {w.last_error or ''}", soft_wrap=True)


@witness_app.command("trust-log")
def witness_trust_log(origin: str = typer.Argument(..., help="The log's checkpoint origin line"),
                      vkey: str = typer.Argument(..., help="The log's verifier key")) -> None:
    """Act as a witness for another log: cosign its checkpoints when they stay consistent."""
    from certbridge.db import write_session
    from certbridge.ledger.witness import trust_log
    from certbridge.principal import SYSTEM

    with write_session(context().sessions) as session:
        row = reporting_domain_errors(lambda: trust_log(session, principal=SYSTEM, origin=origin, verifier_key=vkey))
        console.print(f"✔ {row.origin}", soft_wrap=True)


@witness_app.command("logs")
def witness_logs() -> None:
    """List the logs we witness and the latest size we cosigned for each."""
    from certbridge.db import read_session
    from certbridge.ledger.witness import witnessed_logs

    with read_session(context().sessions) as session:
        for row in witnessed_logs(session):
            console.print(f"{row.origin}  size {row.size}  keys {len(row.verifier_keys.splitlines())}", soft_wrap=True)


@witness_app.command("key")
def witness_key() -> None:
    """Print this instance's witness cosignature verifier key (give it to the logs you witness)."""
    from certbridge.ledger.keys import witness_cosigner

    typer.echo(witness_cosigner(context().settings).verifier_key)


@ledger_app.command("status-proof")
def status_proof_command(
    certificate: str = typer.Option(None, help="<body code>:<certificate number>"),
    body: str = typer.Option(None, help="A certification body's code"),
    organization: str = typer.Option(None, help="An organization's USCC (统一社会信用代码), or #<id>"),
    person: str = typer.Option(None, help="A person's registration number (auditors)"),
    lab: str = typer.Option(None, help="A lab's CMA (资质认定) number"),
) -> None:
    """Print the status (or absence) proof of one subject as of the newest checkpoint, as JSON."""
    from certbridge.db import read_session
    from certbridge.ledger.status_proofs import name_of, status_bundle

    ctx = context()

    def build():
        with read_session(ctx.sessions) as session:
            return status_bundle(session, name_of(certificate=certificate, body=body, organization=organization,
                                                  person=person, lab=lab))

    bundle = reporting_domain_errors(build)
    typer.echo(json.dumps(bundle, ensure_ascii=False, indent=1))


def _check_status(bundle: Path | None, key: list[str], witness_key: list[str] | None, min_cosignatures: int,
                  name: str | None, on: str | None, max_age_days: float | None, *, want: bool | None,
                  stapled: Path | None = None) -> None:
    from datetime import date

    from certbridge.ledger.offline import OfflineCheckError
    from certbridge.ledger.status_check import check_status

    if (bundle is None) == (stapled is None):
        _fail(OfflineCheckError("offline.bad_bundle"))
    try:
        if stapled is not None:
            result = _check_stapled(stapled, key, witness_key, min_cosignatures, name, max_age_days)
        else:
            data = json.loads(_read(bundle))
            on_date = date.fromisoformat(on) if on else None
            result = check_status(data, log_keys=_keys(key), witness_keys=_keys(witness_key),
                                  min_cosignatures=min_cosignatures, name=name, on_date=on_date,
                                  max_age_days=max_age_days)
    except OfflineCheckError as exc:
        _fail(exc)
    except ValueError:
        _fail(OfflineCheckError("offline.bad_bundle"))
    as_of = result["as_of"] or "?"
    if stapled is not None:
        _print_stapled(result)
    elif result["present"]:
        console.print(f"[green]✔[/green] {_t('statemap.ok_present', size=result['tree_size'], as_of=as_of, name=result['name'], status=result['status'] or '-', events=result['events'])}", soft_wrap=True)
        if "effective" in result:
            console.print("  " + _t("statemap.effective", day=result["as_of_day"], status=result["status"],
                                    recorded=result["recorded_status"] or "-"), soft_wrap=True)
        if result["on_date"]:
            console.print("  " + _t("statemap.on_date", date=result["on_date"], status=result["status_on_date"] or "-"), soft_wrap=True)
        if not result["history_complete"]:
            console.print("  " + _t("statemap.history_partial"), soft_wrap=True)
        if not result["name_held"]:
            console.print("  " + _t("statemap.name_given_up", names=", ".join(result["names_now"]) or "-"),
                          soft_wrap=True)
    else:
        console.print(f"[green]✔[/green] {_t('statemap.ok_absent', size=result['tree_size'], as_of=as_of, name=result['name'])}", soft_wrap=True)
    console.print("  " + _t("offline.signed_by", keys=", ".join(result["signed_by"])), soft_wrap=True)
    if result["cosigned_by"]:
        console.print("  " + _t("offline.cosigned_by", keys=", ".join(result["cosigned_by"])), soft_wrap=True)
    if want is not None and result["present"] != want:
        raise typer.Exit(1)
    if stapled is not None and not (result["valid"] and result["valid_today"]):
        raise typer.Exit(1)


def _check_stapled(path: Path, key, witness_key, min_cosignatures: int, name: str | None,
                   max_age_days: float | None) -> dict:
    """Read a stapled proof (its CBS1: text, the API's JSON answer or the proof JSON) and check it."""
    from certbridge.ledger import stapled

    text = _read(path).strip()
    if text.startswith("{"):
        data = json.loads(text)
        proof = stapled.decode(data["text"]) if "text" in data else data
    else:
        proof = stapled.decode(text)
    return stapled.check_stapled(proof, log_keys=_keys(key), witness_keys=_keys(witness_key),
                                 min_cosignatures=min_cosignatures, name=name,
                                 max_age_days=max_age_days if max_age_days is not None else stapled.DEFAULT_MAX_AGE_DAYS)


def _print_stapled(result: dict) -> None:
    witnesses = ", ".join(result["cosigned_by"]) or _t("statemap.stapled_no_witness")
    common = {"day": result["as_of_day"], "size": result["tree_size"], "witnesses": witnesses}
    if result["valid"]:
        console.print(f"[green]✔[/green] {_t('statemap.stapled_valid', fresh=result['fresh_until'], **common)}",
                      soft_wrap=True)
    else:
        console.print(f"[red]✘[/red] {_t('statemap.stapled_not_valid', status=result['status'], **common)}",
                      soft_wrap=True)
    if result["valid"] and not result["valid_today"]:
        from datetime import datetime, timezone

        from certbridge.ledger.status_verdict import CHINA

        today = datetime.now(timezone.utc).astimezone(CHINA).date().isoformat()
        console.print("  " + _t("statemap.today_differs", day=today, status=result["status_today"]), soft_wrap=True)
    console.print(f"  {result['name']}", soft_wrap=True)


_BUNDLE = typer.Option(None, help="Status proof JSON (GET /api/v1/ledger/status?certificate=<body>:<number>)")
_STAPLED = typer.Option(None, help="A stapled status proof: its CBS1: text (as the QR carries it) or JSON "
                                   "(GET /api/v1/certificates/<id>/stapled-status)")
_KEY = typer.Option(..., help="The log's verifier key you trust (repeatable)")
_WITNESS = typer.Option(None, help="A witness cosignature key you trust (repeatable)")
_MIN = typer.Option(0, help="Require this many valid witness cosignatures")
_NAME = typer.Option(None, help="The subject you asked about, e.g. certificate:00126:CN-2024-0001")
_ON = typer.Option(None, help="Also show the status on this date (YYYY-MM-DD)")
_AGE = typer.Option(None, help="Refuse a proof whose checkpoint is older than this many days (stapled: 7 unless "
                               "told, and never more than the proof's own valid_days)")


def verify_status_command(bundle: Path = _BUNDLE, key: list[str] = _KEY, witness_key: list[str] = _WITNESS,
                          min_cosignatures: int = _MIN, name: str = _NAME, on: str = _ON,
                          max_age_days: float = _AGE, stapled: Path = _STAPLED) -> None:
    """Check offline a subject's latest status (or its absence) as of a signed checkpoint; no server trusted.

    With --stapled, check a certificate's stapled proof: exit 0 only if it is valid as of its checkpoint and,
    by the dates it proves, still today, and the proof is fresh.
    """
    _check_status(bundle, key, witness_key, min_cosignatures, name, on, max_age_days, want=None, stapled=stapled)


def verify_absence_command(bundle: Path = _BUNDLE, key: list[str] = _KEY, witness_key: list[str] = _WITNESS,
                           min_cosignatures: int = _MIN, name: str = _NAME, max_age_days: float = _AGE) -> None:
    """Check offline that a subject did not exist as of a signed checkpoint (exit 1 if the proof shows it does)."""
    _check_status(bundle, key, witness_key, min_cosignatures, name, None, max_age_days, want=False)


@ledger_app.command("stapled-status")
def stapled_status_command(
    certificate: str = typer.Option(..., help="<body code>:<certificate number>"),
    png: Path = typer.Option(None, help="Also write the QR code carrying the proof to this PNG file"),
) -> None:
    """Print a certificate's stapled status proof (CBS1: text) as of the newest checkpoint."""
    from certbridge.db import read_session
    from certbridge.ledger import stapled
    from certbridge.ledger.status_proofs import name_of

    ctx = context()

    def build():
        with read_session(ctx.sessions) as session:
            return stapled.stapled_status(session, name_of(certificate=certificate),
                                          valid_days=ctx.settings.stapled_status_days)

    text = stapled.encode(reporting_domain_errors(build))
    if png is not None:
        from certbridge.credentials.qr import qr_png

        png.write_bytes(qr_png(text, scale=3, error="l"))
    typer.echo(text)
