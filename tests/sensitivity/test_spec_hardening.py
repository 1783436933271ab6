"""Sensitivity specs under odd input: one group, keys of any type, misspelt keys, thousands of problems."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from dmaf_analysis import sensitivity
from dmaf_analysis.errors import SpecError
from dmaf_analysis.framework import load_frameworks
from dmaf_analysis.sensitivity import _sobol as sobol

from test_sensitivity import toy_framework, toy_scores

FW = load_frameworks()[2]


def _panel():
    return toy_scores({f"C{i}": [i * 4 % 41, i * 7 % 61, i * 5 % 51, i * 3 % 51] for i in range(12)})


@pytest.mark.parametrize("entry", [
    "{name: weights, kind: weights}",                       # one group of several inputs
    "{name: aggregation, kind: aggregation}",               # one group of one input
])
def test_a_spec_with_one_assumption_group_runs(tmp_path, entry):
    spec = tmp_path / "one.yaml"
    spec.write_text(f"assumptions:\n  - {entry}\n")
    res = sensitivity.sensitivity_analysis(_panel(), frameworks={2: toy_framework()}, spec=spec, n_samples=16)
    assert res.settings.iloc[0]["n_runs"] == 16 * 3
    assert res.indices["assumption"].unique().tolist() == [entry.split(",")[0].split(": ")[1]]
    assert np.isfinite(res.indices[["S1", "ST"]].to_numpy()).all()


def test_the_design_is_salibs_for_several_groups_and_keeps_one_group_whole():
    from SALib.sample import sobol as salib_sobol

    groups = ["w", "w", "a", "t", "t", "t"]
    prob = {"num_vars": 6, "names": [f"x{i}" for i in range(6)], "bounds": [[0.0, 1.0]] * 6, "groups": groups}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = salib_sobol.sample(prob, 32, calc_second_order=False, scramble=True, seed=5)
    assert np.array_equal(sobol.sobol_design(groups, 32, seed=5), expected)
    one = sobol.sobol_design(["w", "w", "w"], 8, seed=1).reshape(8, 3, 3)
    assert np.array_equal(one[:, 1], one[:, 2])  # A with the one group taken from B is B


def _spec_error(raw) -> str:
    with pytest.raises(SpecError) as exc:
        sensitivity.parse_spec(raw, FW, source="/x/spec.yaml")
    return str(exc.value)


@pytest.mark.parametrize("keys", [(1, None), (True, "foo"), (2.5, 1), (None, "bar")])
def test_keys_of_mixed_types_give_a_named_error(keys):
    entry = {"name": "w", "kind": "weights", keys[0]: 1, keys[1]: 2}
    for raw in ({"assumptions": [entry]}, {"assumptions": [{"name": "w", "kind": "weights"}], keys[0]: 1, keys[1]: 2}):
        message = _spec_error(raw)
        assert "spec.yaml" in message
        for key in keys:
            assert f"unknown key{'' if isinstance(key, str) else ' of type ' + type(key).__name__} {key!r}" in message


def test_a_misspelt_key_names_the_right_one():
    message = _spec_error({"assumptions": [{"name": "m", "kind": "maxima", "sprad": 0.3}], "descriptin": "x"})
    assert "unknown key 'sprad'; did you mean 'spread'?" in message
    assert "unknown key 'descriptin'; did you mean 'description'?" in message


def test_spec_messages_are_bounded():
    message = _spec_error({"assumptions": [{"name": f"w{i}", "kind": "weights"} for i in range(3000)]})
    assert message.startswith("/x/spec.yaml: 2,999 problems")
    assert len(message.splitlines()) <= 60
    long = "z" * 100_000
    message = _spec_error({"assumptions": [{"name": long, "kind": long}]})
    assert "(100,000 characters)" in message and len(message) < 2_000
