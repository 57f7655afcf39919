"""Every participatory budgeting back-office page, in each ballot shape, is sound markup for
assistive technology: unique ids, a label for every field, error links that lead to their
field, and no inline styles or scripts (the site's content security policy forbids them).
The browser checks (axe-core) come later; these catch the usual slips early."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from moothall.budgeting import domain
from moothall.budgeting.models import Phase
from tests.budgeting.scene import build_scene

pytestmark = pytest.mark.django_db

FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*>")


def problems_of(name: str, page: str) -> list[tuple[str, str, str]]:
    found = []
    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    found += [(name, "duplicate id", i) for i, n in ids.items() if n > 1]
    labels = set(re.findall(r'<label[^>]*for="([^"]+)"', page))
    for tag in FIELD.findall(page):
        if 'type="hidden"' in tag or 'type="submit"' in tag:
            continue
        field_id = re.search(r'\sid="([^"]+)"', tag)
        if field_id is None or field_id[1] not in labels:
            found.append((name, "field without a label", tag[:100]))
    for target in re.findall(r'href="#([^"]+)"', page):
        if target not in ids:
            found.append((name, "link to nothing", target))
    if re.search(r"\sstyle=|<script>|<style", page):
        found.append((name, "inline style or script", ""))
    return found


@pytest.mark.parametrize("kind", ["approval", "cumulative", "ranking"])
def test_every_page_is_sound_markup(client, council, officer, kind):
    scene = build_scene(council, phase=Phase.REVIEW, ballot_kind=kind)
    client.force_login(officer)
    base = f"/mootshire/staff/budgets/{scene.process.pk}/"
    library = scene.projects["library"].pk
    paths = [
        "",
        "edit/",
        "budgets/",
        f"budgets/{scene.whole.pk}/",
        f"budgets/{scene.whole.pk}/remove/",
        "phase/",
        "projects/",
        "projects/new/",
        f"projects/{library}/",
        f"projects/{library}/review/",
        f"projects/{library}/merge/",
        f"projects/{library}/edit/",
    ]
    pages = {path: client.get(base + path).content.decode() for path in paths}
    pages["list"] = client.get("/mootshire/staff/budgets/").content.decode()
    pages["new"] = client.get("/mootshire/staff/budgets/new/").content.decode()
    pages["new, refused"] = client.post("/mootshire/staff/budgets/new/", {"title": ""}).content
    pages["confirm"] = client.post(base + "phase/", {"to": "voting"}).content.decode()
    domain.change_phase(None, scene.process, Phase.VOTING)
    paper = f"paper/{scene.whole.pk}/"
    pages["paper"] = client.get(base + "paper/").content.decode()
    pages["enter"] = client.get(base + paper).content.decode()
    pages["enter, refused"] = client.post(base + paper, {"reference": ""}).content.decode()
    choices = {library: 1} if kind == "cumulative" else [library]
    domain.enter_paper_ballot(None, scene.whole, choices, reference="P-1")
    domain.change_phase(None, scene.process, Phase.RESULTS)
    for path in ("results/", "delivery/", f"delivery/{library}/"):
        pages[path] = client.get(base + path).content.decode()

    problems = [
        problem
        for name, page in pages.items()
        for problem in problems_of(name, page if isinstance(page, str) else page.decode())
    ]

    assert problems == []
