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


def test_an_alias_shared_by_two_cities_is_an_error_naming_both(tmp_path):
    from dmaf_analysis.cities import load_cities
    from dmaf_analysis.errors import CitiesTableError

    for rows, both in [("Foo,S,Bar\nBaz,S,bar\n", ("'Foo'", "'Baz'")),     # two cities, one alias
                       ("Foo,S,Baz\nBaz,S,\n", ("'Baz'", "'Foo'"))]:     # an alias that is another city
        path = tmp_path / "c.csv"
        path.write_text("city,state,aliases\n" + rows)
        with pytest.raises(CitiesTableError, match="an alias must name one city only") as exc:
            load_cities(path)
        assert all(name in str(exc.value) for name in both), str(exc.value)
    path.write_text("city,state,aliases\nFoo,S,Bar;bar\nBaz,S,Qux\n")  # one city listing an alias twice is fine
    assert load_cities(path)["city"].tolist() == ["Foo", "Baz"]
