"""The explorer page: self-contained, escaped, and in Chromium it filters, sorts and re-weights as score_cities."""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from dmaf_analysis.cities import cities_table
from dmaf_analysis.explore import (explore_html, explore_path, explore_table, explorer_chart, MAX_PAGE_BYTES,
                                   parse_scenarios, scenario_table, write_explore_page)
from dmaf_analysis.framework import load_frameworks
from dmaf_analysis.io import validate_scores
from dmaf_analysis.scoring import load_dataset, score_cities

FW = load_frameworks()[2]
EVIL = '</script><script>document.title="pwned"</script><b>x</b> & "q"'


def _rescored(scores, weights):
    return score_cities(scores, cities=_evil_cities(), weights=weights)


def _evil_cities():
    return cities_table(pd.DataFrame({"city": ["Alpha", EVIL, "Gamma", "Delta"],
                                      "state": ["S1", "<i>S2</i>", "S3", "S4"],
                                      "region": ["North", "South", "East", "West"]}))


def _evil_data():
    """Three cities, one of them named with markup, one with a synthetic value only partly."""
    cities = _evil_cities()
    rows = []
    for city, f in [("Alpha", 0.8), (EVIL, 0.5), ("Gamma", 0.2), ("Delta", 0.9)]:
        for i, (ind, m) in enumerate(FW.max_scores.items()):
            if city == "Delta" and ind == "1.a":
                continue  # Delta lacks a value: no policy score, so no overall, level or rank
            source = "synthetic" if city != "Alpha" or i < 3 else "report_card"
            rows.append({"cycle": 2, "city": city, "indicator": ind, "score": round(m * f), "source": source})
    scores = validate_scores(pd.DataFrame(rows), cities=cities)
    return scores, score_cities(scores, cities=cities)


def _payload(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="explore-data">(.*?)</script>', page, re.S)
    return json.loads(m.group(1))


def test_table_marks_where_values_come_from():
    _, scored = _evil_data()
    table = explore_table(scored)
    assert list(table.columns[:4]) == ["cycle", "city", "state", "region"]
    prov = dict(zip(table["city"], table["provenance"]))
    assert prov == {"Alpha": "3 of 21 synthetic", EVIL: "synthetic", "Gamma": "synthetic", "Delta": "synthetic"}
    assert table["rank"].tolist()[:3] == [1, 2, 3] and pd.isna(table["rank"].iloc[3])


def test_page_escapes_data_and_loads_nothing_from_the_web():
    scores, scored = _evil_data()
    scen = scenario_table(scores, parse_scenarios({"scenarios": [{"name": "<s>geo</s>", "aggregation": "geometric"}]}))
    page = explore_html(scored, framework=FW, scenarios=scen, data_label="<data>.csv")
    assert "pwned" in page  # the name is in the page, but only escaped
    assert '<script>document.title="pwned"' not in page
    assert "<i>S2</i>" not in page and "<s>geo</s>" not in page and "<data>" not in page
    assert "&lt;s&gt;geo&lt;/s&gt;" in page
    data = _payload(page)  # the JSON element is not cut short by the name
    assert EVIL in [c["city"] for c in data["cities"]]
    assert [c["rank"] for c in data["cities"]] == [1, 2, 3, None]
    # nothing is requested from elsewhere: no external script, style sheet, font or image in the markup,
    # and the Content-Security-Policy forbids any request the scripts might make
    markup = re.sub(r"<script\b[^>]*>.*?</script>", "<script></script>", page, flags=re.S)
    assert markup.count("<script></script>") == 3
    assert not re.search(r"<(script|img|iframe)[^>]+src=|<link\b|@import|@font-face|https?://", markup, re.I)
    assert "default-src 'none'" in markup and "connect-src 'none'" in markup
    assert len(page.encode()) < MAX_PAGE_BYTES


def test_page_of_the_bundled_data_fits_the_limit(tmp_path):
    data = load_dataset()
    (tmp_path / "cities" / "surat").mkdir(parents=True)
    (tmp_path / "cities" / "surat" / f"cycle-{data.latest_cycle}.html").write_text("card")
    path = write_explore_page(data, output_dir=tmp_path)
    assert path == explore_path(tmp_path, data.latest_cycle)
    assert path.stat().st_size < MAX_PAGE_BYTES
    cities = {c["city"]: c for c in _payload(path.read_text())["cities"]}
    assert len(cities) == data.scored[data.scored["cycle"] == data.latest_cycle]["city"].nunique()
    assert cities["Surat"]["href"] == f"../cities/surat/cycle-{data.latest_cycle}.html"
    assert cities["Pune"]["href"] == ""  # no card written: no link


def test_notebook_charts_are_altair_charts_with_city_tooltips():
    _, scored = _evil_data()
    spec = explorer_chart(explore_table(scored), framework=FW, city="Alpha").to_dict()
    text = json.dumps(spec)
    assert '"brush"' in text and '"city"' in text and "tooltip" in text
    params = {p["name"]: p for p in spec.get("params", [])}
    assert params["city"]["value"] == "Alpha"
    assert set(params) >= {"city", "brush", "x_component", "y_component"}
    assert len(spec["datasets"]) == 1  # the table itself, for JupyterLab
    assert EVIL in [r["city"] for r in next(iter(spec["datasets"].values()))]


# ------------------------------------------------------------------ in Chromium
@pytest.fixture(scope="module")
def bundled_page(tmp_path_factory):
    data = load_dataset()
    return data, write_explore_page(data, output_dir=tmp_path_factory.mktemp("explore"))


def _visible(driver, column: int = 0) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#cities tbody tr')).filter(r => !r.hidden)"
        ".map(r => r.cells[arguments[0]].textContent);", column)


def _table(driver) -> list[tuple]:
    """(city, rank, level, overall) of every row, in the table's order."""
    return [tuple(r) for r in driver.execute_script(
        "return window.dmafExplorer.cities.map(c => [c.city, c.rank, c.level, c.overall]);")]


def _severe(driver) -> list:
    return [m for m in driver.get_log("browser") if m.get("level") == "SEVERE"]


def _set_weights(driver, values: list[int]):
    driver.execute_script("""
        const sliders = document.querySelectorAll("input[type=range][data-component]");
        arguments[0].forEach((v, k) => { sliders[k].value = String(v);
            sliders[k].dispatchEvent(new Event("input", {bubbles: true})); });""", values)


@pytest.mark.slow
def test_search_sort_and_sliders_in_chromium(bundled_page, browser):
    data, page = bundled_page
    cycle = data.latest_cycle
    browser.get_log("browser")
    browser.get(page.resolve().as_uri())
    assert _severe(browser) == []
    n = int(data.scored["cycle"].eq(cycle).sum())
    assert browser.find_element("id", "count").text == f"Showing {n} of {n} cities."
    # the charts are drawn from the inlined Vega (nothing could be fetched)
    browser.implicitly_wait(10)
    assert browser.find_element("css selector", "#chart svg")

    # search filters as one types
    browser.find_element("css selector", "input[type=search]").send_keys("pun")
    shown = _visible(browser)
    expected = [c for c in data.scored.loc[data.scored["cycle"] == cycle, "city"] if "pun" in c.lower()]
    states = data.scored[(data.scored["cycle"] == cycle)]
    expected = sorted(set(expected) | set(states.loc[states["state"].str.lower().str.contains("pun"), "city"]))
    assert sorted(shown) == expected and 0 < len(shown) < n
    browser.find_element("css selector", "input[type=search]").clear()
    browser.execute_script("document.getElementById('search').dispatchEvent(new Event('input'));")
    assert len(_visible(browser)) == n

    # a header click sorts (City ascending, again descending)
    button = browser.find_element("css selector", "th[data-key='city'] button")
    button.click()
    names = _visible(browser)
    assert names == sorted(names, key=str.lower) and names != [r[0] for r in _table(browser)][::-1]
    button.click()
    assert _visible(browser) == sorted(names, key=str.lower, reverse=True)
    browser.find_element("css selector", "th[data-key='rank'] button").click()

    # the framework's weights: the page's ranks are score_cities's
    part = data.scored[data.scored["cycle"] == cycle]
    assert _ranking(browser) == _expected(part)

    for weights in ([15, 15, 15, 40, 15], [0, 10, 0, 70, 20], [100, 0, 0, 0, 0], [3, 1, 4, 1, 5]):
        _set_weights(browser, weights)
        given = dict(zip(FW.component_ids, [float(w) for w in weights]))
        again = score_cities(data.scores, frameworks=data.frameworks, cities=data.cities, weights=given)
        assert _ranking(browser) == _expected(again[again["cycle"] == cycle]), weights
        rows = _visible(browser, len(FW.component_ids) + 5)  # the rank column, in the table's order
        ranks = [int(r) for r in rows if r.isdigit()]
        assert ranks == sorted(ranks)  # the table is re-sorted by the new ranks
        text = browser.find_element("id", "weights-text").text
        assert f"{FW.components['name'].iloc[3]} {weights[3] / sum(weights):.3f}" in text

    browser.find_element("id", "reset").click()
    assert _ranking(browser) == _expected(part)
    assert _severe(browser) == []


def _ranking(driver) -> dict:
    return {city: (rank, level, None if overall is None else round(overall, 6))
            for city, rank, level, overall in _table(driver)}


def _expected(scored: pd.DataFrame) -> dict:
    return {r.city: (None if pd.isna(r.rank) else int(r.rank), "" if pd.isna(r.level) else str(r.level),
                     None if pd.isna(r.overall) else round(float(r.overall), 6))
            for r in scored.itertuples()}


@pytest.mark.slow
def test_escaped_names_and_brush_in_chromium(tmp_path, browser):
    scores, scored = _evil_data()
    page = tmp_path / "evil.html"
    page.write_text(explore_html(scored, framework=FW))
    browser.get(page.resolve().as_uri())
    assert browser.title != "pwned"
    assert EVIL in _visible(browser)
    assert _severe(browser) == []
    # a missing component leaves the city unscored in the page too, whatever the weights
    for weights in ([20, 20, 20, 20, 20], [0, 50, 10, 0, 40]):
        _set_weights(browser, weights)
        given = dict(zip(FW.component_ids, [float(w) for w in weights]))
        assert _ranking(browser) == _expected(_rescored(scores, given))
        assert _ranking(browser)["Delta"] == (None, "", None)
    # a click on a row marks the city in the charts
    browser.find_element("css selector", "#cities tbody tr[data-city='Gamma'] td:nth-child(2)").click()
    assert browser.execute_script("return window.dmafView.signal('city')") == "Gamma"
    assert browser.find_element("css selector", "#cities tbody tr.selected").get_attribute("data-city") == "Gamma"
    # a brush over the scatter keeps the cities inside it
    browser.implicitly_wait(10)
    browser.find_element("css selector", "#chart svg")
    from selenium.webdriver.common.action_chains import ActionChains

    area = browser.find_element("css selector", "#chart g.scatter_group path.background")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", area)
    size = area.rect["width"]  # the axes run from 0 to 100; offsets are from the centre of the plot
    (ActionChains(browser).move_to_element_with_offset(area, -size / 2 + 2, size / 2 - 2).click_and_hold()
     .move_to_element_with_offset(area, -size / 2 + size * 0.6, size / 2 - size * 0.6).release().perform())
    visible = _visible(browser)
    assert browser.execute_script("return window.dmafView.signal('brush')") is not None
    assert "Alpha" not in visible and "Gamma" in visible


def test_table_names_the_published_values_the_data_match():
    # the bundled record publishes Surat's rank 1, Kohima's level and component totals; the data match them
    from dmaf_analysis.scoring import load_dataset

    data = load_dataset()
    table = explore_table(data.scored, frameworks=data.frameworks).set_index("city")
    assert table.loc["Surat", "provenance"] == "synthetic; published: rank 1"
    assert "level Enabled" in table.loc["Kohima", "provenance"] and "Policy 97" in table.loc["Kohima", "provenance"]
    assert "published" not in table.loc["Agra", "provenance"]
    # a record the data contradict marks nothing: a published rank is named only where the data give that rank
    from dmaf_analysis.record import load_record

    bundled = load_record()
    record = bundled[(bundled["scope"] == "city") & (bundled["subject"] == "Surat")
                     & (bundled["quantity"] == "rank")].assign(subject="Agra")  # Agra "published" at rank 1
    other = explore_table(data.scored, frameworks=data.frameworks, record=record).set_index("city")
    assert "published" not in other.loc["Agra", "provenance"] and "published" not in other.loc["Surat", "provenance"]
