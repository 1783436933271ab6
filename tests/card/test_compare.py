"""The comparison page's file names."""
from dmaf_analysis import card


def test_compare_file_names_differ_for_different_city_lists(tmp_path):
    lists = [["Foo City", "Bar"], ["Foo_City", "Bar"], ["Foo-City", "Bar"], ["Foo", "Vs Bar"], ["Foo Vs", "Bar"],
             ["Bar", "Foo City"]]
    paths = {card.comparison_path(tmp_path, names, 2) for names in lists}
    assert len(paths) == len(lists)
    again = card.comparison_path(tmp_path, ["Foo City", "Bar"], 2)
    assert again == card.comparison_path(tmp_path, ["Foo City", "Bar"], 2)
    assert again.name.startswith("foo-city-vs-bar-") and len(again.stem) == len("foo-city-vs-bar-") + 8
