"""
Which way the package's imports point, and how big its rooms may grow (see the layout in README.md).
Read from the source with ``ast``, nothing imported.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "personalized_path"
WEB_PACKAGES = {"xblock", "django", "web_fragments", "webob"}
MAX_MODULE_LINES = 500
MAX_CLASS_LINES = 400


def modules(folder=PACKAGE):
    return sorted(path for path in folder.rglob("*.py") if "migrations" not in path.parts)


def imported(path):
    """Every module ``path`` imports, as absolute dotted names (relative imports resolved)."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def oversize():
    found = set()
    for path in modules():
        name = str(path.relative_to(PACKAGE))
        source = path.read_text(encoding="utf-8")
        if len(source.splitlines()) > MAX_MODULE_LINES:
            found.add(name)
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > MAX_CLASS_LINES:
                found.add(f"{name}:{node.name}")
    return found


@pytest.mark.parametrize("path", modules(PACKAGE / "core"), ids=lambda path: path.name)
def test_the_core_imports_no_web_framework(path):
    assert not {name for name in imported(path) if name.split(".")[0] in WEB_PACKAGES}


@pytest.mark.parametrize("path", [path for path in modules() if "workbench" not in path.relative_to(PACKAGE).parts],
                         ids=lambda path: str(path.relative_to(PACKAGE)))
def test_nothing_but_the_workbench_imports_the_workbench(path):
    """The core, the blocks and the platform glue run where the workbench is not installed."""
    assert not {name for name in imported(path) if name.startswith("personalized_path.workbench")}


@pytest.mark.parametrize("path", [path for path in modules()
                                  if not {"openedx", "workbench"} & set(path.relative_to(PACKAGE).parts)],
                         ids=lambda path: str(path.relative_to(PACKAGE)))
def test_only_the_platform_imports_the_platform_glue(path):
    """
    Blocks reach the glue through the Django settings platform_glue.py reads, so they load anywhere;
    the workbench, which plays the platform, installs the plugin as the LMS does.
    """
    assert not {name for name in imported(path) if name.startswith("personalized_path.openedx")}


@pytest.mark.parametrize("path", modules(PACKAGE / "core"), ids=lambda path: path.name)
def test_the_core_imports_nothing_of_the_package_but_the_core(path):
    assert not {name for name in imported(path)
                if name.startswith("personalized_path.") and not name.startswith("personalized_path.core")}


def test_the_import_reader_sees_relative_and_absolute_imports():
    names = imported(PACKAGE / "base.py")
    assert "personalized_path.links.LinksMixin" in names and "xblock.core" in names


def test_no_module_or_class_grows_past_its_size():
    assert not oversize(), "split what grew, one concern per room"
