"""A second step before the console does something that interrupts patients or a whole group (restart, rollback,
revoke): the first POST answers a page that asks, its "yes" posts the same form again with `confirmed=1`.
Plain HTML: no script, so it works under a strict Content-Security-Policy."""

from __future__ import annotations

from fastapi import Request, Response

from kiosk_hub.access.principals import Change
from kiosk_hub.fleet.console.i18n import translator
from kiosk_hub.fleet.console.web import form_text, language, render


def confirmed(change: Change) -> bool:
    return form_text(change.form, "confirmed") == "1"


def ask(request: Request, change: Change, question_key: str, name: str, back: str) -> Response:
    """The page asking whether to do what `change` asked for, naming `name`; "cancel" goes back to `back`."""
    question = translator(language(request))(question_key).format(name=name)
    fields = {k: v for k, v in change.form.items() if isinstance(v, str) and k not in ("csrf", "confirmed")}
    return render(
        request, "confirm.html", user=change.user, question=question, action=request.url.path, fields=fields,
        back=back,
    )  # fmt: skip
