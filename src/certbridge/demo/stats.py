"""Demo statistics: Beihai's reference targets, a county target, the folded figures and last month's reports.

Runs after the certificates and the first checkpoint: targets go through the real service (a ledger event
each), the log is integrated again, the statistics fold up to the new checkpoint and last month's signed
reports are made for the nation and Beihai, so `/stats`, `/stats/targets` and `/stats/reports` have
something to show at once.
"""

from __future__ import annotations

from datetime import date, timedelta

from certbridge.db import read_session, write_session
from certbridge.ledger.integrate import integrate_pending
from certbridge.principal import SYSTEM
from certbridge.settings import Settings
from certbridge.stats import queries
from certbridge.stats.background import catch_up
from certbridge.stats.reports import make_report
from certbridge.stats.targets import load_reference_targets, set_target

HAICHENG = "450502"  # 海城区, Beihai's largest district


def build_stats(sessions, *, settings: Settings, as_of: date, fold: bool = True) -> dict[str, int]:
    """Load the targets, fold the statistics and make last month's reports; return what was made.

    With `fold` off only the reference targets are loaded: the server folds the whole log in the background once
    it runs (what a very large data set is built with when its statistics may come later), and the county target
    and the reports, which need the figures, are not made.
    """
    with write_session(sessions) as session:
        added = load_reference_targets(session, actor="demo")
    integrate_pending(sessions, settings=settings)
    if not fold:
        return {"stats_targets": added, "stats_reports": 0}
    catch_up(sessions)
    with read_session(sessions) as session:
        now = queries.figure(session, measure="certificates", region=HAICHENG, on=as_of)
    with write_session(sessions) as session:  # a county target a little above today's figure, due next year-end
        set_target(session, principal=SYSTEM, region_code=HAICHENG, measure="certificates",
                   threshold=max(10, round(now * 1.2)), deadline=date(as_of.year + 1, 12, 31),
                   source="海城区质量提升行动方案（演示）", published=True)
        added += 1
    integrate_pending(sessions, settings=settings)
    catch_up(sessions)
    month = (as_of.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    made = 0
    for region in ("000000", "450500"):
        with write_session(sessions) as session:
            make_report(session, settings=settings, region=region, month=month, today=as_of)
            made += 1
    return {"stats_targets": added, "stats_reports": made}
