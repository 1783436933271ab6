"""Import paths users may rely on keep working after modules moved (issue 8)."""
import importlib

import pytest

from dmaf_analysis import batch, robustness
from dmaf_analysis import slug as slug_module
from dmaf_analysis.batch import index_page, kernels
from dmaf_analysis.errors import KernelSetupError


@pytest.mark.parametrize(("old", "new"), [("dmaf_analysis.kernels", kernels), ("dmaf_analysis.index_page", index_page),
                                          ("dmaf_analysis.batch.slug", slug_module)])
def test_old_module_paths_give_the_same_objects(old, new):
    module = importlib.import_module(old)
    for name in new.__all__:
        assert getattr(module, name) is getattr(new, name), name
    assert set(new.__all__) <= set(module.__all__)


def test_old_kernels_path_still_has_its_error():
    from dmaf_analysis.kernels import KernelSetupError as old

    assert old is KernelSetupError


def test_batch_reexports_the_shared_slug_functions():
    assert batch.slugify is slug_module.slugify
    assert batch.unique_slugs is slug_module.unique_slugs
    assert batch.is_safe_slug is slug_module.is_safe_slug


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


def test_module_map_names_every_module_and_every_module_loads_on_first_use():
    import pkgutil
    import re

    import dmaf_analysis

    modules = {m.name for m in pkgutil.iter_modules(dmaf_analysis.__path__)} - {"data", "notebooks"}
    named = set(re.findall(r"``([a-z_]+)``", dmaf_analysis.__doc__))
    assert modules - named == set()
    for name in sorted(modules - {"_paths"}):
        assert getattr(dmaf_analysis, name).__name__ == f"dmaf_analysis.{name}"
    with pytest.raises(AttributeError, match="no attribute 'not_a_module'"):
        dmaf_analysis.not_a_module  # noqa: B018 - the attribute access is what is tested


def test_every_module_lists_its_public_definitions_in_all_and_every_listed_name_exists():
    import ast
    import pathlib

    import dmaf_analysis

    root = pathlib.Path(dmaf_analysis.__file__).parent
    problems = []
    for path in sorted(root.rglob("*.py")):
        if path.name.startswith("_") and path.name != "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        listed = next((set(ast.literal_eval(n.value)) for n in tree.body if isinstance(n, ast.Assign)
                       and any(getattr(t, "id", None) == "__all__" for t in n.targets)), None)
        if listed is None:
            problems.append(f"{path.relative_to(root)}: no __all__")
            continue
        defined = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        problems += [f"{path.relative_to(root)}: {name} not in __all__" for name in defined
                     if not name.startswith("_") and name not in listed]
        parts = path.relative_to(root.parent).with_suffix("").parts
        module = importlib.import_module(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
        problems += [f"{module.__name__}: __all__ lists {name}, which it lacks" for name in sorted(listed)
                     if not hasattr(module, name)]
    assert problems == []
