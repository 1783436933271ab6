"""One meaning per argument: cycle=0 is the latest, an absent cycle names those present, the
wrong kind of table says which was expected, read_scores wants a path, level is ordered."""
import pandas as pd
import pytest

from dmaf_analysis import load_dataset, read_scores, stats
from dmaf_analysis import sensitivity
from dmaf_analysis.errors import ArgumentError, CycleNotInDataError


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


def test_cycle_zero_is_the_latest_everywhere(ds):
    latest = ds.latest_cycle
    assert stats.distribution_summary(ds.scored, cycle=0).equals(stats.distribution_summary(ds.scored, cycle=latest))
    assert set(stats.level_counts(ds.scored, cycle=0)["cycle"]) == {latest}
    assert set(stats.distribution_summary(ds.scored)["cycle"]) == set(ds.cycles)  # None: every cycle
    r = sensitivity.rank_robustness(ds.scored, n_draws=50)
    assert set(r.cities["cycle"]) == {latest}


def test_an_absent_cycle_names_the_cycles_present(ds):
    with pytest.raises(CycleNotInDataError, match="cycle 3 is not in the data; cycles present: 1, 2"):
        stats.distribution_summary(ds.scored, cycle=3)
    with pytest.raises(CycleNotInDataError, match="cycles present: 1, 2"):
        sensitivity.rank_robustness(ds.scored, cycle=7, n_draws=10)
    with pytest.raises(ArgumentError, match="cycle=None means every cycle"):
        ds.resolve_cycle(None)


def test_the_wrong_kind_of_table_says_which_was_expected(ds):
    with pytest.raises(ArgumentError, match=r"takes the scored table .*pass Dataset.scored instead"):
        stats.distribution_summary(ds.scores)
    with pytest.raises(ArgumentError, match=r"takes the long score table .*pass Dataset.scores instead"):
        stats.indicator_distribution(ds.scored)
    with pytest.raises(ArgumentError, match="not a whole Dataset: pass ds.scored"):
        stats.change_summary(ds, cycle_from=1, cycle_to=2)


def test_read_scores_wants_a_path(ds):
    with pytest.raises(ArgumentError, match=r"use validate_scores\(frame\)"):
        read_scores(ds.scores)
    with pytest.raises(ArgumentError, match="wants the path of a score table"):
        read_scores(42)


def test_level_is_an_ordered_categorical_and_dataset_has_a_short_repr(ds):
    level = ds.scored["level"]
    assert isinstance(level.dtype, pd.CategoricalDtype) and level.cat.ordered
    assert list(level.cat.categories)[0] == "Not certified"
    assert (level.dropna() >= "Not certified").all()
    text = repr(ds)
    assert text.startswith("<Dataset scores.csv:") and "cycles 1, 2" in text and len(text) < 160
