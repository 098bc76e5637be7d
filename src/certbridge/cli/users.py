"""`certbridge users …` and `certbridge keys …`: accounts and API keys for operators."""

from __future__ import annotations

import getpass

import typer

from certbridge.cli.context import console, context, err_console
from certbridge.errors import DomainError
from certbridge.principal import SYSTEM

users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)


def _fail(exc: DomainError, lang: str) -> None:
    err_console.print(f"[red]✘[/red] {exc.message(lang)}")
    raise typer.Exit(1)


@users_app.command("create")
def create(
    username: str,
    role: str = typer.Option(..., help="admin, regulator, cb_operator, lab_operator, inspector, organization"),
    display_name: str = typer.Option(None, help="Name shown in the console"),
    body: str = typer.Option(None, help="Certification body code (cb_operator)"),
    lab_id: int = typer.Option(None, help="Lab id (lab_operator)"),
    organization_id: int = typer.Option(None, help="Organization id (organization)"),
    person_id: int = typer.Option(None, help="Person id (inspector)"),
    password: str = typer.Option(None, help="Password; prompted for if omitted and stdin is a terminal"),
) -> None:
    """Create a user (acts as the system administrator)."""
    from certbridge.auth.service import create_user
    from certbridge.db import write_session
    from certbridge.registry.bodies import find_body

    ctx = context()
    if password is None and typer.get_text_stream("stdin").isatty():
        password = getpass.getpass("密码 / password: ")
    try:
        with write_session(ctx.sessions) as session:
            body_id = None
            if body:
                found = find_body(session, body)
                if found is None:
                    err_console.print(f"[red]✘[/red] 找不到认证机构 / no certification body {body}")
                    raise typer.Exit(1)
                body_id = found.id
            user = create_user(session, principal=SYSTEM, username=username, display_name=display_name or username,
                               role=role, password=password or None, body_id=body_id, lab_id=lab_id,
                               organization_id=organization_id, person_id=person_id)
            console.print(f"已创建用户 / created user {user.username} (id {user.id}, {user.role})")
    except DomainError as exc:
        _fail(exc, ctx.lang)


@users_app.command("list")
def list_users() -> None:
    """List users."""
    from rich.table import Table
    from sqlalchemy import select

    from certbridge.auth.models import User
    from certbridge.db import read_session

    ctx = context()
    table = Table("id", "username", "role", "scope", "active")
    with read_session(ctx.sessions) as session:
        for u in session.scalars(select(User).order_by(User.id)):
            scope = next((f"{k}={v}" for k, v in (("body", u.body_id), ("lab", u.lab_id),
                                                   ("org", u.organization_id), ("person", u.person_id)) if v), "")
            table.add_row(str(u.id), u.username, u.role, scope, "yes" if u.active else "no")
    console.print(table)


@users_app.command("unlock")
def unlock(username: str) -> None:
    """Lift the sign-in lock of an account after too many failed passwords (acts as the regulator)."""
    from certbridge.auth.lockout import unlock as lift
    from certbridge.db import write_session
    from certbridge.i18n.catalog import render

    ctx = context()
    try:
        with write_session(ctx.sessions) as session:
            done = lift(session, principal=SYSTEM, username=username,
                        pepper=ctx.settings.resolved_secret_key().encode())
    except DomainError as exc:
        _fail(exc, ctx.lang)
    console.print(render("auth.unlocked" if done else "auth.not_locked", ctx.lang, username=username.lower()))


@keys_app.command("create")
def create_key(username: str, name: str = typer.Option("cli", help="What the key is for"),
               read_only: bool = typer.Option(False, help="Key can only read"),
               quota: int = typer.Option(None, help="Requests per minute for this key (default: "
                                                    "CERTBRIDGE_RATE_LIMIT_KEY_PER_MINUTE)")) -> None:
    """Create an API key for a user and print its token once."""
    from sqlalchemy import select

    from certbridge.auth.models import User
    from certbridge.auth.service import create_api_key
    from certbridge.db import write_session

    ctx = context()
    try:
        with write_session(ctx.sessions) as session:
            user = session.scalar(select(User).where(User.username == username.lower()))
            if user is None:
                err_console.print(f"[red]✘[/red] 找不到用户 / no user {username}")
                raise typer.Exit(1)
            new = create_api_key(session, principal=SYSTEM, user_id=user.id, name=name, read_only=read_only,
                                 quota_per_minute=quota)
    except DomainError as exc:
        _fail(exc, ctx.lang)
    console.print("请立即保存，此密钥只显示一次 / save it now, it is shown only once:")
    console.print(new.token, markup=False, highlight=False)


@keys_app.command("revoke")
def revoke_key(key_id: str) -> None:
    """Revoke an API key by its id (the part after cbk_)."""
    from certbridge.auth.service import revoke_api_key
    from certbridge.db import write_session

    ctx = context()
    try:
        with write_session(ctx.sessions) as session:
            revoke_api_key(session, principal=SYSTEM, key_id=key_id)
    except DomainError as exc:
        _fail(exc, ctx.lang)
    console.print(f"已吊销 / revoked {key_id}")
