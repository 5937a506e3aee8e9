"""A question about a kind of body the active pack has none of, answered plainly.

"hvem er formand for styregruppen?" or "hvornår mødes styregruppen?" asked of a pack without a
styregruppe: the pack's material describes none (said so, not a generic don't-know, and no
other body's answer as if it were one), where its bodies' own duties use the word, and the
bodies it describes that decide on IT and digitalisation, offered as buttons. Which kinds a
pack lacks is pack data (knowledge.body_kinds).
"""

from __future__ import annotations

from bot.sdk import TurnContext
from dialogs.texts import in_lang, text
from dialogs.turn import show_choices, turn_lang
from knowledge.body_kinds import MissingBodies
from knowledge.render import in_sentence, join_and, lcfirst
from knowledge.schema import Pack


class MissingBodyAnswer:
    """Answers questions naming a kind of body the pack lacks, for one pack."""

    def __init__(self, pack: Pack) -> None:
        self._pack = pack
        self._missing = MissingBodies(pack)

    async def answer(self, context: TurnContext, said: str) -> bool:
        """Say that the pack describes no such body and offer the ones that decide; False
        when `said` names no kind of body the pack lacks."""
        kind = self._missing.named(said)
        if kind is None:
            return False
        lang = turn_lang(context)
        name = str(in_lang(kind, "name", lang))
        mentions = self._missing.mentions(kind, lang)
        # Where one of the pack's bodies does the job ("Er styregruppe for …"), say that first.
        lines = [
            text("knowledge.no_such_body_mention", lang, municipality=self._pack.municipality,
                 kind=name, body=lcfirst(str(in_lang(m.body, "name", lang))), line=m.line)
            for m in mentions
        ] or [text("knowledge.no_such_body", lang, municipality=self._pack.municipality,
                   kind=name)]  # fmt: skip
        mentioned = [m.body for m in mentions]
        bodies = list(dict.fromkeys([*mentioned, *self._missing.deciders()]))
        names = [str(in_lang(b, "name", lang)) for b in bodies]
        in_text = [in_sentence(n, lang) for n in names]
        lines.append(text("knowledge.no_such_body_deciders", lang, names=join_and(in_text, lang)))
        choices = [
            {"name": body.button(lang), "detail": str(in_lang(body, "purpose", lang)),
             "text": text("knowledge.what_is_say", lang, body=name)}
            for body, name in zip(bodies, names, strict=True)
        ]  # fmt: skip
        await show_choices(context, "\n\n".join(lines), choices)
        return True
