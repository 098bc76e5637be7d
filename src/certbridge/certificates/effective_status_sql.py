"""The effective-status rule of `effective_status.verdict` as SQL, for list filters (`status=` …).

One CASE expression over a certificate row, its body, standard and scheme (correlated primary-key lookups),
for a bound date `on`: the earliest date-driven change that has taken effect wins, in the same order as
`effective_status.due_changes`. Date arithmetic is compiled per dialect (SQLite date text, PostgreSQL dates),
clamping months the way `kit.dates.add_months` does. The property test in tests/certificates keeps this and
the Python function in agreement.
"""

from __future__ import annotations

from sqlalchemy import Date, and_, bindparam, case, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from certbridge.certificates.effective_status import DEFAULT_GRACE_MONTHS, ENDED_BODY_STATUSES, OPEN_STATUSES
from certbridge.certificates.models import Certificate
from certbridge.registry.models import CertificationBody, Scheme, Standard


class day_after(FunctionElement):  # noqa: N801 - reads as SQL
    """The day after a date."""

    type = Date()
    inherit_cache = True


class add_months_sql(FunctionElement):  # noqa: N801
    """A date plus whole months, clamped to the month's last day (as kit.dates.add_months)."""

    type = Date()
    inherit_cache = True


class far_date(FunctionElement):  # noqa: N801
    """A date after every real one (stands for "never")."""

    type = Date()
    inherit_cache = True


@compiles(day_after, "sqlite")
def _day_after_sqlite(element, compiler, **kw):
    return "date(%s, '+1 day')" % compiler.process(list(element.clauses)[0], **kw)


@compiles(day_after)
def _day_after_pg(element, compiler, **kw):
    return "(%s + 1)" % compiler.process(list(element.clauses)[0], **kw)


@compiles(add_months_sql, "sqlite")
def _add_months_sqlite(element, compiler, **kw):
    day, months = (compiler.process(c, **kw) for c in element.clauses)
    first = f"date({day}, 'start of month', '+' || ({months}) || ' months')"
    return (f"min(date({first}, '+' || (CAST(strftime('%d', {day}) AS INTEGER) - 1) || ' days'), "
            f"date({first}, '+1 month', '-1 day'))")


@compiles(add_months_sql)
def _add_months_pg(element, compiler, **kw):
    day, months = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST({day} + make_interval(months => {months}) AS DATE)"


@compiles(far_date, "sqlite")
def _far_sqlite(element, compiler, **kw):
    return "'9999-12-31'"


@compiles(far_date)
def _far_pg(element, compiler, **kw):
    return "DATE '9999-12-31'"


def _lookup(column, key_column, value):
    return select(column).where(key_column == value).correlate(Certificate).scalar_subquery()


def effective_status_sql(on=None) -> ColumnElement:
    """Return the effective status of `certificate` rows on `on` (a bound parameter named "on" by default)."""
    on = bindparam("on", None) if on is None else on
    c = Certificate
    body_status = _lookup(CertificationBody.status, CertificationBody.id, c.body_id)
    body_on = _lookup(CertificationBody.status_changed_on, CertificationBody.id, c.body_id)
    grace = _lookup(Scheme.body_revoked_grace_months, Scheme.code, c.scheme_code)
    deadline = _lookup(Standard.transition_deadline, Standard.id, c.standard_id)
    far = far_date()
    f1 = case((and_(c.status == "suspended", c.suspended_until.is_not(None)), day_after(c.suspended_until)),
              else_=far)
    f2 = day_after(c.expires_on)
    f3 = func.coalesce(day_after(deadline), far)
    f4 = case((body_status.in_(ENDED_BODY_STATUSES),
               add_months_sql(func.coalesce(body_on, c.status_changed_on),
                              func.coalesce(grace, literal(DEFAULT_GRACE_MONTHS)))), else_=far)
    return case(
        (c.status.not_in(OPEN_STATUSES), c.status),
        (and_(on >= f1, f1 <= f2, f1 <= f3, f1 <= f4), "withdrawn"),
        (and_(on >= f2, f2 < f1, f2 <= f3, f2 <= f4), "expired"),
        (and_(on >= f3, f3 < f1, f3 < f2, f3 <= f4), "expired"),
        (and_(on >= f4, f4 < f1, f4 < f2, f4 < f3), "withdrawn"),
        else_=c.status,
    )


# The recorded statuses a certificate with a given effective status can have (lets the status index narrow).
RECORDED_FOR = {"valid": ("valid",), "suspended": ("suspended",), "cancelled": ("cancelled",),
                "expired": ("expired", "valid", "suspended"), "withdrawn": ("withdrawn", "valid", "suspended")}


def status_filter(status: str, on=None) -> ColumnElement:
    """Return the condition "effective status on `on` is `status`" (valid also means already in force)."""
    on = bindparam("on", None) if on is None else on
    cond = and_(Certificate.status.in_(RECORDED_FOR[status]), effective_status_sql(on) == status)
    if status == "valid":
        cond = and_(cond, Certificate.issued_on <= on)
    return cond


__all__ = ["effective_status_sql", "status_filter", "RECORDED_FOR", "day_after", "add_months_sql"]
