"""The review queue: what the bot missed, and the three ways to act on an item: create an
entry from a prefilled form, teach an existing entry, or dismiss it. Every action is recorded
with the signed-in actor (``web:<actor>``)."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from adapters.web.context import actor_of, dashboard_of, render
from adapters.web.forms import entry_fields, entry_from_form, form_values
from adapters.web.reviewport import TEACH, ReviewQueue, ReviewScope
from bot.models import KINDS, SupportBotError

LIMIT = 100
NOTES = {"dismissed": "Item dismissed.", "taught": "Entry taught; the item left the queue."}
MISSING = "The review queue is not connected in this build of the dashboard."


def queue_of(request: web.Request) -> ReviewQueue:
    review = dashboard_of(request).review
    if review is None:
        raise SupportBotError(MISSING)
    return review


def item_id(request: web.Request) -> int:
    try:
        return int(request.match_info["item_id"])
    except ValueError:
        raise web.HTTPNotFound() from None


async def listing(request: web.Request) -> web.StreamResponse:
    review = dashboard_of(request).review
    items = await review.items(ReviewScope.everything(), LIMIT) if review is not None else []
    note = NOTES.get(request.query.get("note", ""), "")
    return render(request, "review.html", title="Review", items=items, connected=review is not None, note=note)


async def show_item(
    request: web.Request, fields: dict[str, str] | None = None, error: str = "", status: int = 200
) -> web.Response:
    """One item: its questions, the create form (prefilled from the draft), teach, dismiss."""
    review, number = queue_of(request), item_id(request)
    item = await review.item(number, ReviewScope.everything())
    if fields is None:
        fields = entry_fields(await review.draft_entry(number))
    return render(
        request,
        "review_item.html",
        status=status,
        title=f"Review item {number}",
        item=item,
        fields=fields,
        kinds=KINDS,
        teach=TEACH,
        suggestions=await review.suggestions(number) if item.status == "open" else [],
        error=error,
    )


async def item_page(request: web.Request) -> web.StreamResponse:
    return await show_item(request)


async def create(request: web.Request) -> web.StreamResponse:
    form = form_values(await request.post())
    try:
        entry = entry_from_form(form)
        await queue_of(request).create(item_id(request), entry, actor_of(request))
    except SupportBotError as exc:
        # Keep what was typed; say what is wrong above the form.
        return await show_item(request, fields=form, error=str(exc), status=400)
    raise web.HTTPSeeOther(f"/entries/{quote(entry.id, safe='')}?note=created")


async def teach(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    entry_id, what = str(form.get("entry_id", "")).strip(), str(form.get("what", "alias"))
    if what not in TEACH:
        raise SupportBotError(f"teach one of: {', '.join(TEACH)}")
    await queue_of(request).teach(item_id(request), entry_id, actor_of(request), what)
    raise web.HTTPSeeOther(f"/entries/{quote(entry_id, safe='')}?note=taught")


async def dismiss(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    await queue_of(request).dismiss(item_id(request), actor_of(request), str(form.get("reason", ""))[:500])
    raise web.HTTPSeeOther("/review?note=dismissed")


def register(router: web.UrlDispatcher) -> None:
    router.add_get("/review", listing)
    router.add_get("/review/{item_id}", item_page)
    router.add_post("/review/{item_id}/create", create)
    router.add_post("/review/{item_id}/teach", teach)
    router.add_post("/review/{item_id}/dismiss", dismiss)
