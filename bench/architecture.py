"""How the code is arranged: the figures docs/architecture.md keeps honest.

``python -m bench architecture [--top N]``

1. The largest modules (lines), first-party code outside migrations.
2. Imports written inside functions, each with where it is (a hidden dependency, usually a
   dodged cycle).
3. Import cycles: between modules (strongly connected components of the module graph, every
   import counted wherever it is written) and between the features and the kernel.
4. The path of one ballot: a signed-in voter casts the same ballot through the page
   (review, then confirm) and through the API (``PUT /api/v1/rounds/<slug>/ballot/``), on a
   scratch SQLite database. Printed: the project's functions called ("stops"), the
   modules they live in, and the calls made into them in all.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "engagement", "budgeting", "surveys", "frontend")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench architecture")
    parser.add_argument("--top", type=int, default=8, help="largest modules to list")
    parser.add_argument("--list", action="store_true", help="list every import inside a function")
    parser.add_argument("--no-trace", action="store_true", help="skip the ballot path")
    return parser.parse_args(argv)


def source_files() -> Iterator[tuple[str, Path]]:
    """(dotted module name, path) of every first-party module outside migrations."""
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _imported(node: ast.Import | ast.ImportFrom, module: str, package: bool) -> list[str]:
    """Fully qualified names an import statement reaches (relative imports resolved)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        parent = module.split(".") if package else module.split(".")[:-1]
        parent = parent[: len(parent) - (node.level - 1)]
        base = ".".join([*parent, base] if base else parent)
    return [f"{base}.{alias.name}" for alias in node.names] + [base]


class _Imports(ast.NodeVisitor):
    def __init__(self) -> None:
        self.depth = 0
        self.type_checking = 0
        self.found: list[tuple[ast.Import | ast.ImportFrom, bool]] = []

    def _function(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def visit_If(self, node: ast.If) -> None:
        guarded = "TYPE_CHECKING" in ast.unparse(node.test)
        self.type_checking += guarded
        self.generic_visit(node)
        self.type_checking -= guarded

    def visit_Import(self, node: ast.Import) -> None:
        self.found.append((node, self.depth > 0 and not self.type_checking))

    visit_ImportFrom = visit_Import  # type: ignore[assignment]


def import_graph() -> tuple[dict[str, set[str]], list[tuple[str, int, str]]]:
    """(module -> first-party modules it imports, [(module, line, target) inside functions]).

    Imports under ``if TYPE_CHECKING`` are in the graph (they are arrows all the same) but not
    counted as inside functions; every import inside a function is, whatever it imports."""
    modules = dict(source_files())
    known = set(modules)
    graph: dict[str, set[str]] = defaultdict(set)
    inside: list[tuple[str, int, str]] = []
    for module, path in modules.items():
        visitor = _Imports()
        visitor.visit(ast.parse(path.read_text(), str(path)))
        for node, in_function in visitor.found:
            targets = []
            for name in _imported(node, module, _is_package(path)):
                # The longest known module the name lies in (``a.b.func`` -> ``a.b``).
                parts = name.split(".")
                while parts and ".".join(parts) not in known:
                    parts.pop()
                if parts:
                    targets.append(".".join(parts))
            targets = sorted(set(targets) - {module})
            graph[module].update(targets)
            if in_function:
                first = targets[0] if targets else _imported(node, module, False)[0]
                inside.append((module, node.lineno, first))
        graph.setdefault(module, set())
    return graph, inside


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


# The parts of the house whose arrows the cycles between parts are counted on: the kernel
# and each feature. Anything else (config, frontend, app plumbing) is left out.
APP_WIRING = ("engagement.apps", "engagement.models", "engagement.admin")


def part_of(module: str) -> str | None:
    """The kernel, a feature, or ``None`` (pages, config, and the modules Django's app
    loading imports to find an app's models and admin, which name every part by design)."""
    if module in APP_WIRING:
        return None
    features = ("engagement.ideas", "engagement.workshops", "budgeting", "surveys")
    for feature in features:
        if module == feature or module.startswith(feature + "."):
            return feature
    if module.startswith("engagement"):
        return "engagement (kernel)"
    return None


def part_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    parts: dict[str, set[str]] = defaultdict(set)
    for module, targets in graph.items():
        source = part_of(module)
        if source is None:
            continue
        for target in targets:
            other = part_of(target)
            if other is not None and other != source:
                parts[source].add(other)
    return cycles(parts)


def print_static(top: int, list_inside: bool) -> None:
    sizes = sorted(
        ((sum(1 for _ in path.open()), module) for module, path in source_files()), reverse=True
    )
    print(f"largest modules (lines, of {len(sizes)} modules):")
    for lines, module in sizes[:top]:
        print(f"  {lines:6d}  {module}")
    graph, inside = import_graph()
    per_module = Counter(module for module, _, _ in inside)
    print(f"imports inside functions: {len(inside)} in {len(per_module)} modules")
    for module, count in per_module.most_common(top):
        print(f"  {count:4d}  {module}")
    if list_inside:
        for module, line, target in inside:
            print(f"    {module}:{line} -> {target}")
    module_cycles = cycles(graph)
    print(f"module cycles: {len(module_cycles)}")
    for component in module_cycles:
        print("  " + " <-> ".join(component))
    between = part_cycles(graph)
    print(f"cycles between the kernel and the features: {len(between)}")
    for component in between:
        print("  " + " <-> ".join(component))


# --- The ballot's path ---------------------------------------------------------------------


def _trace(call) -> tuple[list[str], int]:
    """Run ``call``; the first-party functions it entered (first-call order), and how many
    calls into them it made in all (work done twice shows there, not in the first)."""
    seen: dict[str, None] = {}
    calls = 0

    def profile(frame, event, arg):
        nonlocal calls
        if event != "call":
            return
        module = frame.f_globals.get("__name__", "")
        if module.split(".")[0] in PACKAGES and "<" not in frame.f_code.co_qualname:
            seen.setdefault(f"{module}.{frame.f_code.co_qualname}", None)
            calls += 1

    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(None)
    return list(seen), calls


def _module_of(function: str, modules: set[str]) -> str:
    parts = function.split(".")
    while parts and ".".join(parts) not in modules:
        parts.pop()
    return ".".join(parts)


def print_ballot_path() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DATABASE_URL": f"sqlite:///{scratch}/architecture.sqlite3",
                "REDIS_URL": "",
                "KOPA_LOG_LEVEL": "ERROR",
            }
        )
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from bench.voters import ballot_body, prepare_round
        from engagement.people.models import User

        call_command("migrate", verbosity=0)
        prepare_round(2, changes_allowed=False, slug="path")
        known = {module for module, _ in source_files()}
        users = list(User.objects.order_by("pk"))
        page, api = Client(), Client()
        page.force_login(users[0])
        api.force_login(users[1])
        form = {"projects": ["p1", "p2", "p3"], "cast_key": "a" * 32}
        review = "/rounds/path/vote/city/review/"
        # The review step first (it imports modules and fills caches), then the traced casts.
        assert page.post(review, form).status_code == 200

        def page_cast() -> None:
            response = page.post(review, {**form, "action": "confirm"})
            assert response.status_code == 302, response.content[:400]

        def api_cast() -> None:
            response = api.put(
                "/api/v1/rounds/path/ballot/",
                ballot_body(0),
                content_type="application/json",
            )
            assert response.status_code == 201, response.content[:400]

        for name, call in (("page (confirm)", page_cast), ("API (PUT)", api_cast)):
            with CaptureQueriesContext(connection) as queries:
                functions, calls = _trace(call)
            modules = {_module_of(f, known) for f in functions}
            print(
                f"ballot path, {name}: {len(functions)} stops (functions) in {len(modules)}"
                f" modules, {calls} calls, {len(queries)} SQL queries"
            )
            for module in sorted(modules):
                print(f"    {module}")


def main(argv: list[str] | None = None) -> int:
    options = _parse(argv)
    print_static(options.top, options.list)
    if not options.no_trace:
        print_ballot_path()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
