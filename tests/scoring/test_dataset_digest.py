"""dataset_digest: equal for equal content, different as soon as one value differs."""
from dataclasses import replace

import pandas as pd

from dmaf_analysis.scoring import dataset_digest, load_dataset


def test_copies_of_one_panel_share_a_digest():
    first, second = load_dataset(), load_dataset()
    assert first is not second and first.scores is not second.scores
    assert dataset_digest(first) == dataset_digest(second)


def test_one_changed_value_changes_the_digest():
    data = load_dataset()
    before = dataset_digest(data)
    data.scored.loc[data.scored.index[3], "overall"] = data.scored["overall"].iloc[3] + 0.1
    assert dataset_digest(data) != before


def test_a_changed_framework_weight_or_label_changes_the_digest():
    data = load_dataset()
    before = dataset_digest(data)
    cycle = data.cycles[-1]
    fw = data.frameworks[cycle]
    data.frameworks[cycle] = replace(fw, name=fw.name + " (edited)")
    assert dataset_digest(data) != before
    data = load_dataset()
    data.frameworks[cycle].indicators.iloc[0, data.frameworks[cycle].indicators.columns.get_loc("max_score")] += 1
    assert dataset_digest(data) != before


def test_a_renamed_column_changes_the_digest():
    data = load_dataset()
    before = dataset_digest(data)
    renamed = replace(data, attributes=data.attributes.rename(columns={"engagement_score": "engagement"}))
    assert dataset_digest(renamed) != before


def test_a_list_in_a_cell_is_part_of_the_digest():
    data = load_dataset()
    cities = data.cities.copy()
    cities["notes"] = pd.Series([[1, 2]] * len(cities), dtype=object)
    listed = dataset_digest(replace(data, cities=cities))
    cities.at[cities.index[0], "notes"] = [1, 3]
    assert listed is not None and dataset_digest(replace(data, cities=cities)) != listed


def test_a_cell_that_cannot_be_pickled_gives_no_digest():
    data = load_dataset()
    cities = data.cities.copy()
    cities["notes"] = pd.Series([lambda: None] * len(cities), dtype=object)
    assert dataset_digest(replace(data, cities=cities)) is None
