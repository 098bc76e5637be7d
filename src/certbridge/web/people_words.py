"""Template helpers that turn codes the system writes into words: status reasons, audit kinds, actors, times."""

from __future__ import annotations

import re
from typing import Any

from jinja2 import pass_context

from certbridge.i18n.catalog import has_message
from certbridge.i18n.catalog import render as render_message
from certbridge.kit.local_time import show_day, show_time

ACTOR = re.compile(r"^user:(\d+):([^/]*)(?:/key:.*)?$")


def _lang(context) -> str:
    return context.get("lang") or "zh"


def code_words(code_prefix: str, value: Any, lang: str) -> str:
    """Return the catalog words for `<prefix>.<value>`, or the value as typed when it is free text."""
    if value in (None, ""):
        return ""
    code = f"{code_prefix}.{value}"
    return render_message(code, lang) if has_message(code) else str(value)


@pass_context
def words(context, code_prefix: str, value: Any) -> str:
    """Template global: `words("status_reason", c.status_reason)` → 有效期届满 (free text unchanged)."""
    return code_words(code_prefix, value, _lang(context))


def actor_words(actor: str | None, lang: str, *, public: bool = False) -> str:
    """Return who acted, as a person reads it: a role, or the account name on consoles; never `user:2:x`."""
    if not actor:
        return ""
    if actor in ("system", "anonymous"):
        return render_message(f"role.{actor}", lang)
    match = ACTOR.match(actor)
    if match is None:
        return render_message("role.system", lang)
    return render_message("role.regulator", lang) if public else match.group(2)


@pass_context
def actor(context, value: str | None, public: bool = False) -> str:
    """Template global: the people-readable actor of an event (hidden behind a role on public pages)."""
    return actor_words(value, _lang(context), public=public)


@pass_context
def subject(context, value: str | None) -> str:
    """Template global: `organization:431` → 获证组织 (the kind of thing, without its database id)."""
    kind = (value or "").split(":", 1)[0]
    return code_words("subject", kind, _lang(context)) if kind else ""


@pass_context
def scope_words(context, scope: dict | None) -> str:
    """Template global: a batch's scope {"region": "450500"} → 地区：450500 (nothing when it has none)."""
    lang = _lang(context)
    sep = "：" if lang == "zh" else ": "
    return "、".join(f"{code_words('batch_scope', k, lang)}{sep}{v}" for k, v in (scope or {}).items() if v)


@pass_context
def class_words(context, values: dict | None, kind: str = "ratio") -> str:
    """Template global: {"B": 2} → B 类抽 2 家; ratios {"A": "0.1"} → A 类抽 10%."""
    lang, out = _lang(context), []
    for cls, value in (values or {}).items():
        if kind == "ratio":
            value = f"{float(value) * 100:g}%"
        out.append(render_message(f"ui.class_{kind}", lang, cls=cls, value=value))
    return "、".join(out) if lang == "zh" else ", ".join(out)


def install(env) -> None:
    """Add the helpers to a Jinja environment (globals words/actor/subject, filters cst and cst_day)."""
    env.globals.update(words=words, actor=actor, subject=subject, scope_words=scope_words, class_words=class_words)
    env.filters.update(cst=show_time, cst_day=show_day)
