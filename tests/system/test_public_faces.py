"""Each folder's face lists what it offers; the old flat paths and shims are gone."""
from __future__ import annotations

import ast
import importlib
import pathlib
import pkgutil
import re

import pytest

import dmaf_analysis
from dmaf_analysis._util import slug as slug_module
from dmaf_analysis.sensitivity import _robustness as robustness

ROOT = pathlib.Path(dmaf_analysis.__file__).parent


@pytest.mark.parametrize("old", ["dmaf_analysis.kernels", "dmaf_analysis.index_page", "dmaf_analysis.batch.slug",
                                 "dmaf_analysis.report", "dmaf_analysis.reporting", "dmaf_analysis.data_contract",
                                 "dmaf_analysis.dataset", "dmaf_analysis.plots", "dmaf_analysis.problem_summary"])
def test_old_flat_paths_are_gone(old):
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(old)


def test_io_is_a_real_subpackage_not_an_alias():
    import sys

    import dmaf_analysis.io as io_face

    assert io_face.__name__ == "dmaf_analysis.io"
    assert sys.modules["dmaf_analysis.io"].__file__.endswith("io/__init__.py")


@pytest.mark.parametrize(("name", "expected"), [
    ("Not certified", "not_certified"),
    ("Level 2 / Higher!", "level_2_higher"),
    ("Émergent", "emergent"),
])
def test_level_slug_is_the_identifier_form_of_slugify(name, expected):
    assert robustness.level_slug(name) == expected
    assert slug_module.identifier_slug(name) == expected
    assert robustness.level_slug(name) == slug_module.slugify(name).replace("-", "_")


def test_level_slug_of_a_name_without_letters_is_a_hashed_fallback():
    out = robustness.level_slug("???")
    assert out.startswith("level_") and len(out) == len("level_") + 8
    assert out != robustness.level_slug("!!!")


def test_package_docstring_names_every_subpackage_and_each_loads_on_first_use():
    folders = {m.name for m in pkgutil.iter_modules(dmaf_analysis.__path__) if m.ispkg} - {"data", "notebooks"}
    named = set(re.findall(r"``([a-z_]+)``", dmaf_analysis.__doc__))
    assert folders - named == set()
    assert set(dmaf_analysis.SUBPACKAGES) == folders - {"_util"}
    for name in dmaf_analysis.SUBPACKAGES:
        assert getattr(dmaf_analysis, name).__name__ == f"dmaf_analysis.{name}"
    with pytest.raises(AttributeError, match="no attribute 'not_a_module'"):
        dmaf_analysis.not_a_module  # noqa: B018 - the attribute access is what is tested


def _listed(tree) -> set[str] | None:
    return next((set(ast.literal_eval(n.value)) for n in tree.body if isinstance(n, ast.Assign)
                 and any(getattr(t, "id", None) == "__all__" for t in n.targets)), None)


def test_every_module_lists_its_public_definitions_in_all_and_every_listed_name_exists():
    problems = []
    for path in sorted(ROOT.rglob("*.py")):
        if path.name == "__main__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        listed = _listed(tree)
        if listed is None:
            problems.append(f"{path.relative_to(ROOT)}: no __all__")
            continue
        defined = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        problems += [f"{path.relative_to(ROOT)}: {name} not in __all__" for name in defined
                     if not name.startswith("_") and name not in listed]
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        module = importlib.import_module(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
        problems += [f"{module.__name__}: __all__ lists {name}, which it lacks" for name in sorted(listed)
                     if not hasattr(module, name)]
    assert not problems, "\n".join(problems)


def test_each_face_offers_names_of_its_own_folder_only():
    """A face re-exports its private modules, not other folders' names (errors live in ``errors``)."""
    problems = []
    for init in sorted(ROOT.glob("*/__init__.py")):
        folder = init.parent.name
        face = importlib.import_module(f"dmaf_analysis.{folder}")
        for name in face.__all__:
            home = getattr(getattr(face, name), "__module__", None)
            if isinstance(home, str) and home.startswith("dmaf_analysis.") and not (
                    home.startswith(f"dmaf_analysis.{folder}.") or home == f"dmaf_analysis.{folder}"):
                problems.append(f"{folder}: {name} comes from {home}")
    assert not problems, "\n".join(problems)
