"""Rows are read through selectors and written through services, which take the actor.

Views, API classes, forms, filters, tasks and page helpers may not reach a model's manager
(``Model.objects``), call ``get_object_or_404(Model, …)`` or use the ``.unscoped()`` escape
hatch: the one place where each rule of who-sees-what lives is a selector, and a page and an
endpoint reading the same fact then cannot disagree.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "tenancy",
    "api",
    "webhooks",
    "ui",
    "creators",
    "brands",
    "compliance",
    "mcn",
    "traffic",
    "analytics",
]
#: Request-serving modules, by file name (and every module of the api/ package).
SERVING = {
    "views.py",
    "views_operator.py",
    "views_base.py",
    "api.py",
    "forms.py",
    "filters.py",
    "tasks.py",
    "urls.py",
    "pages.py",
    "context_processors.py",
    "middleware.py",
}
#: Authentication looks a key up to find the actor, before any actor exists.
EXEMPT = {"api/auth.py"}


def serving_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            if "migrations" in path.parts or relative in EXEMPT:
                continue
            views = path.name.startswith("views_")  # views split by concern: views_offers.py …
            if path.name in SERVING or views or app == "api" or "templatetags" in path.parts:
                yield path


def side_doors(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            if isinstance(node.value, ast.Name) and node.value.id[:1].isupper():
                found.append((node.lineno, f"{node.value.id}.objects"))
        elif isinstance(node, ast.Call):
            func = node.func
            name = getattr(func, "id", None) or getattr(func, "attr", None)
            if name == "unscoped":
                found.append((node.lineno, ".unscoped()"))
            first = node.args[0] if node.args else None
            if name == "get_object_or_404" and isinstance(first, ast.Name):
                found.append((node.lineno, f"get_object_or_404({first.id}, …)"))
    return found


@pytest.mark.parametrize("path", list(serving_modules()), ids=lambda p: str(p.relative_to(ROOT)))
def test_request_serving_code_reads_through_selectors(path):
    assert side_doors(path.read_text()) == []


def test_the_check_sees_each_side_door():
    source = (
        "a = Campaign.objects.all()\n"
        "b = get_object_or_404(Campaign, pk=1)\n"
        "c = Creator.objects.unscoped()\n"
        "d = get_object_or_404(campaigns_of_brand(actor=actor), pk=1)\n"  # a selector: fine
    )
    found = sorted(what for _line, what in side_doors(source))
    assert found == sorted(
        ["Campaign.objects", "get_object_or_404(Campaign, …)", "Creator.objects", ".unscoped()"]
    )
