"""The layers: ``studio`` is the ground, the render engine is pure, and no service or task
module hides a cycle behind an import inside a function."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from billing.models import LedgerEntry
from studio.events import workspace_created
from studio.models import Workspace
from studio.services import workspace_create
from tests.studio.factories import UserFactory

REPO = Path(__file__).resolve().parents[2]
APPS = ("studio", "brands", "billing", "generations", "api")


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module, at module level) for every import in ``path``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, id(node) in top or _in_type_checking(tree, node)))
    return found


def _in_type_checking(tree: ast.Module, node: ast.AST) -> bool:
    return any(isinstance(stmt, ast.If) and "TYPE_CHECKING" in ast.unparse(stmt.test)
               and node in ast.walk(stmt) for stmt in tree.body)


def test_studio_imports_no_app_above_it():
    offending = [
        f"{path.relative_to(REPO)}: {module}"
        for path in (REPO / "studio").rglob("*.py") if "migrations" not in path.parts
        for module, _top in _imports(path)
        if module.split(".")[0] in ("billing", "generations", "brands", "api")
    ]
    assert offending == []


def _service_and_task_modules():
    for app in APPS:
        root = REPO / app
        yield from root.glob("services.py")
        yield from root.glob("services/*.py")
        yield from root.glob("tasks.py")
        yield from root.glob("selectors.py")
    yield REPO / "generations" / "pipeline.py"


def test_no_service_or_task_imports_inside_a_function():
    offending = [
        f"{path.relative_to(REPO)}: {module}"
        for path in _service_and_task_modules()
        for module, top in _imports(path) if not top
    ]
    assert offending == []


def test_the_render_engine_loads_no_django_and_no_app():
    # studio.visual (colour and font rules shared with the scrape) is the one part of the
    # project package it may use.
    probe = ("import sys, generations.render; "
             "print(sorted({m.split('.')[0] for m in sys.modules} & "
             "{'django', 'celery', 'billing', 'brands', 'api'} | "
             "{m for m in sys.modules if m.startswith('studio')} - {'studio', 'studio.visual', "
             "'studio.visual.colour', 'studio.visual.fonts'}))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                            text=True, check=True, env={"PYTHONPATH": str(REPO)})
    assert result.stdout.strip() == "[]"


@pytest.mark.django_db
def test_billing_opens_the_account_when_a_workspace_is_created():
    workspace = workspace_create(name="Acme", owner=UserFactory())

    entries = LedgerEntry.objects.filter(account__workspace=workspace)
    assert list(entries.values_list("kind", "amount")) == [("bonus", 50)]


@pytest.mark.django_db(transaction=True)
def test_a_failing_reaction_rolls_the_workspace_back():
    def broken(sender, **kwargs):
        raise RuntimeError("billing is down")

    workspace_created.connect(broken, dispatch_uid="test.broken")
    try:
        with pytest.raises(RuntimeError):
            workspace_create(name="Acme", owner=UserFactory())
    finally:
        workspace_created.disconnect(dispatch_uid="test.broken")

    assert not Workspace.objects.filter(name="Acme").exists()
    assert not LedgerEntry.objects.exists()
