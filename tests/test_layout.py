"""The dependency direction of DESIGN.md, checked over the source: an app names only apps to its
left, in an import or in a string (URL names, task names, model labels), and nothing imports in
a cycle. ``tenancy`` holds only tenancy."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Left to right. An app may name the apps of earlier layers only: the apps of one layer are
#: independent of each other.
LAYERS = [
    ["tenancy"],
    ["api", "ui", "bulkload"],
    ["webhooks"],
    ["creators"],
    ["brands"],
    ["compliance"],
    ["mcn"],
    ["traffic", "matching"],
    ["analytics"],
    ["demo"],
    ["config"],
]
APPS = [app for layer in LAYERS for app in layer]
LAYER_OF = {app: index for index, layer in enumerate(LAYERS) for app in layer}


def _sources(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _named_app(text: str) -> str | None:
    """The project app a dotted or URL name starts with (``brands.services``, ``mcn:tier``)."""
    head = text.replace(":", ".").split(".")[0]
    return head if head in LAYER_OF and text != head else None


def _names(tree: ast.AST):
    """(line, app) for every project app an import or a string of the module names."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            named = _named_app(node.value.strip())
            if named:
                yield node.lineno, named


def _violations(app: str) -> list[str]:
    found = []
    for path in _sources(app):
        for line, named in _names(ast.parse(path.read_text(), str(path))):
            if named in LAYER_OF and named != app and LAYER_OF[named] >= LAYER_OF[app]:
                found.append(f"{path.relative_to(ROOT)}:{line} names {named}")
    return found


@pytest.mark.parametrize("app", APPS)
def test_an_app_names_only_apps_to_its_left(app):
    assert _violations(app) == []


def test_the_check_finds_a_name_to_the_right():
    tree = ast.parse('from brands import services\nURL = "mcn:tier"\nTASK = "traffic.run"\n')
    assert sorted(named for _line, named in _names(tree)) == ["brands", "mcn", "traffic"]


def _module_graph() -> dict[str, set[str]]:
    modules = {}
    for app in APPS:
        for path in _sources(app):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    graph = {}
    for name, path in modules.items():
        # Imports inside functions run late and cannot deadlock a start-up: only module level.
        imports = _top_level_imports(ast.parse(path.read_text()), path)
        graph[name] = {target for target in imports if target in modules and target != name}
    return graph


def _top_level_imports(tree: ast.Module, path: Path) -> set[str]:
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    parent = package if path.name == "__init__.py" else package.rpartition(".")[0]
    targets = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = parent.split(".")[: len(parent.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets.add(module)
            targets.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
    return targets


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return stack[stack.index(target) :] + [target]
            if target not in state and (found := visit(target)):
                return found
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_module_imports_in_a_cycle():
    assert _cycle(_module_graph()) is None


def test_the_cycle_check_finds_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


#: What tenancy may hold (DESIGN.md): organizations, memberships, roles, the actor and its
#: scoping, API keys, audit, and the sign-in and switcher pages built on them.
TENANCY_MODULES = {
    "__init__",
    "admin",
    "apps",
    "context_processors",
    "forms",
    "homes",
    "managers",
    "middleware",
    "models",
    "roles",
    "scopes",
    "scoping",
    "selectors",
    "services",
    "tasking",
    "tasks",
    "urls",
    "views",
    "views_base",
    "create_api_key",
}


def test_tenancy_holds_only_tenancy():
    modules = {path.stem for path in _sources("tenancy") if path.stem != "__init__"}
    assert modules - TENANCY_MODULES == set()
