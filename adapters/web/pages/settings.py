"""The effective settings, read-only. Secrets show only whether they are set."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from pydantic import BaseModel, SecretStr

from adapters.web.context import dashboard_of, render


def shown(value: Any) -> str:
    """A setting's value as text; a secret is never shown, only whether it is set."""
    if isinstance(value, SecretStr):
        return "set (hidden)" if value.get_secret_value() else "not set"
    if value is None:
        return "not set"
    return json.dumps(value, default=str, ensure_ascii=False)


def rows(settings: BaseModel) -> list[tuple[str, list[tuple[str, str]]]]:
    """(section, [(key, shown value)]) for every setting; top-level keys form the first section."""
    top: list[tuple[str, str]] = []
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, BaseModel):
            sections.append((name, [(key, shown(getattr(value, key))) for key in type(value).model_fields]))
        else:
            top.append((name, shown(value)))
    return [("general", top), *sections]


async def settings_page(request: web.Request) -> web.StreamResponse:
    dash = dashboard_of(request)
    return render(request, "settings.html", title="Settings", sections=rows(dash.settings))


def register(router: web.UrlDispatcher) -> None:
    router.add_get("/settings", settings_page)
