"""'hvornår blev KITOS sidst synkroniseret?': the last sync's time, counts and conflicts."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.intents import IntentMatch
from bot.sdk import MessageFactory, TurnContext
from dialogs.texts import Lang, text
from dialogs.turn import next_steps, step, turn_lang, turn_session
from storage.kitos_runs import SyncRunInfo, last_runs

CONFLICTS_SHOWN = 5


def _when(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%d.%m.%Y %H:%M")


def kitos_status_lines(
    newest: SyncRunInfo | None, last_ok: SyncRunInfo | None, tz: ZoneInfo, lang: Lang
) -> list[str]:
    """The answer, line by line."""
    if last_ok is None:
        failed = newest is not None and newest.status == "failed"
        return [
            text(
                "directory.kitos_never",
                lang,
                failed_at=_when(newest.finished_at, tz) if failed and newest else "",
                error=(newest.error or "") if newest else "",
            )
        ]
    counts = last_ok.counts
    lines = [
        text(
            "directory.kitos_status",
            lang,
            at=_when(last_ok.finished_at, tz),
            kind=text("directory.kitos_full" if last_ok.full else "directory.kitos_changes", lang),
            seconds=counts.get("duration_seconds", 0),
            systems=counts.get("systems", 0),
            added=counts.get("added", 0),
            changed=counts.get("changed", 0),
            ended=counts.get("ended", 0),
            people=counts.get("people_added", 0),
        )
    ]
    if newest is not None and newest.id != last_ok.id and newest.status == "failed":
        lines.append(
            text(
                "directory.kitos_failed_since",
                lang,
                at=_when(newest.finished_at, tz),
                error=newest.error or "",
            )
        )
    conflicts = last_ok.conflicts
    if not conflicts:
        lines.append(text("directory.kitos_no_conflicts", lang))
    else:
        lines.append(text("directory.kitos_conflicts", lang, count=len(conflicts)))
        for conflict in conflicts[:CONFLICTS_SHOWN]:
            lines.append(
                "- "
                + text(
                    "directory.kitos_conflict",
                    lang,
                    system=conflict.get("system", ""),
                    user=conflict.get("user_name", ""),
                    user_uuid=conflict.get("user_uuid", ""),
                    candidates=", ".join(conflict.get("candidates") or ()),
                )
            )
        if len(conflicts) > CONFLICTS_SHOWN:
            lines.append(text("directory.kitos_more", lang, count=len(conflicts) - CONFLICTS_SHOWN))
    if last_ok.unmapped_roles:
        roles = ", ".join(str(r.get("name") or r.get("uuid")) for r in last_ok.unmapped_roles)
        lines.append(text("directory.kitos_unmapped", lang, roles=roles))
    return lines


class KitosStatus:
    """The chat answer about the KITOS sync, in the municipality's time zone."""

    def __init__(self, tz: ZoneInfo) -> None:
        self._tz = tz

    async def answer(self, context: TurnContext, _match: IntentMatch) -> None:
        """Answer with the last sync's time, counts and conflicts."""
        lang = turn_lang(context)
        newest, last_ok = await last_runs(session=turn_session(context))
        lines = kitos_status_lines(newest, last_ok, self._tz, lang)
        message = MessageFactory.text("\n\n".join(lines))
        await context.send_activity(next_steps(message, [step("help", lang)]))
