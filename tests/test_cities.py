import pandas as pd
import pytest
from conftest import REPO_ROOT

from dmaf_analysis.cities import CityMatcher, load_cities, normalise_city_name, resolve_city
from dmaf_analysis.errors import UnknownCityError


def test_hundred_cities_with_facts_columns():
    cities = load_cities()
    assert len(cities) == 100
    assert cities["city"].is_unique
    shared = REPO_ROOT.parent / "shared" / "dmaf" / "smart_cities.csv"
    if shared.exists():
        facts = pd.read_csv(shared)
        merged = cities.merge(facts, on="city", suffixes=("", "_facts"))
        assert len(merged) == 100
        assert (merged["state"] == merged["state_facts"]).all()
        assert (merged["selection_round"] == merged["selection_round_facts"]).all()


def test_western_region_has_26_cities():
    cities = load_cities()
    west = cities[cities["region"] == "West"]
    assert len(west) == 26
    assert set(west["state"]) == {"Gujarat", "Maharashtra", "Goa", "Rajasthan", "Madhya Pradesh"}
    assert set(cities["region_provenance"]) == {"inferred"}  # the grouping is not on record


@pytest.mark.parametrize("name, expected", [
    ("Allahabad", "Prayagraj"), ("bangalore", "Bengaluru"), ("Mangalore", "Mangaluru"),
    ("Belgaum", "Belagavi"), ("Trichy", "Tiruchirappalli"), ("Tuticorin", "Thoothukudi"),
    ("Hubli-Dharwad", "Hubballi-Dharwad"), ("NDMC", "New Delhi Municipal Council"),
    ("pimpri chinchwad", "Pimpri-Chinchwad"), ("  LUDHIANA ", "Ludhiana"), ("Port.Blair", "Port Blair"),
])
def test_aliases_and_normalisation(name, expected):
    assert resolve_city(name) == expected


def test_normalise_ignores_case_spaces_hyphens_dots():
    assert normalise_city_name("Kalyan - Dombivli.") == normalise_city_name("kalyandombivli")


def test_unknown_city_suggests_closest():
    with pytest.raises(UnknownCityError, match="unknown city 'Ludhiyana'; closest matches: Ludhiana") as info:
        resolve_city("Ludhiyana")
    assert info.value.suggestions[0] == "Ludhiana"
    assert "Ludhiana" in str(info.value)
    assert CityMatcher().resolve("Atlantis") is None


def test_load_cities_returns_a_copy():
    a = load_cities()
    a.loc[0, "city"] = "changed"
    assert load_cities().loc[0, "city"] != "changed"
