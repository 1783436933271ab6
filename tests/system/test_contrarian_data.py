"""Every report on data whose facts run against the bundled panel: each sentence checked against the data.

Two made-up data folders (``tests/fixtures/frameworks``):

- ``upland``: 30 districts, one framework in two identical cycle files (every maximum,
  weight and threshold on record), scores from a source labelled ``survey2025``, a
  median near 70, a strongly negative correlation between Access and Budget, and 24
  of the 30 districts falling from cycle 1 to cycle 2;
- ``harbour``: 20 port cities, two different frameworks (a component added in
  cycle 2), every maximum on record, values from ``audit`` (a quarter of cycle 1
  synthetic), a median near 80, a strongly negative correlation between Records and
  Sharing, 15 of 20 falling.

The facts are computed here from the CSV and YAML files with pandas and scipy, not
through the package; the reports are rendered once per data folder (the batch on
two cities, which also renders the national overview, the trends and the index;
and the compare page), and every page's text is checked.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from scipy import stats as st

from dmaf_analysis import card, national
from dmaf_analysis.errors import FrameworkError
from dmaf_analysis.framework import read_framework
from dmaf_analysis.scoring import load_dataset

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "frameworks"
CASES = ["upland", "harbour"]
#: Words that name the bundled framework, its publisher or its platform; none may appear on these pages.
FOREIGN = ["DMAF", "Data Maturity Assessment", "Smart Cities", "Smart City", "AMPLIFI", "Mission",
           "printed on a card", "placed by text order", "maxima are not published", "real ones are not published",
           "report card value"]


# ------------------------------------------------------------------ facts from the files
def _frameworks(name: str) -> dict[int, dict]:
    out = {}
    for path in sorted((FIXTURES / name / "frameworks").glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        out[int(raw["cycle"])] = raw
    return out


def facts(name: str) -> dict:
    """Component and overall scores per cycle and city, computed from the files by hand."""
    raw = pd.read_csv(FIXTURES / name / "scores.csv")
    fws = _frameworks(name)
    rows = []
    for (cycle, city), part in raw.groupby(["cycle", "city"]):
        fw = fws[int(cycle)]
        comp_of = {i["id"]: i["component"] for i in fw["indicators"]}
        comps = {c["id"]: 0.0 for c in fw["components"]}
        for ind, pts in zip(part["indicator"], part["score"]):
            comps[comp_of[ind]] += float(pts)
        overall = sum(c["weight"] * comps[c["id"]] for c in fw["components"])
        rows.append({"cycle": int(cycle), "city": city, "overall": overall, **comps})
    scored = pd.DataFrame(rows)
    last = max(fws)
    latest = scored[scored["cycle"] == last]
    names = {c["id"]: c["name"] for c in fws[last]["components"]}
    ids = list(names)
    negative = []
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            rho = st.spearmanr(latest[a], latest[b]).statistic
            if rho < 0:
                negative.append((names[a], names[b], rho))
    wide = scored.pivot(index="city", columns="cycle", values="overall")
    change = (wide[last] - wide[min(fws)]).round(6)
    return {"frameworks": fws, "latest": latest, "negative": negative, "names": names,
            "n_fell": int((change < 0).sum()), "n_rose": int((change > 0).sum()), "n": len(change),
            "sources": sorted(set(raw["source"])), "same": _same(fws)}


def _same(fws: dict[int, dict]) -> bool:
    def body(raw):
        return {k: v for k, v in raw.items() if k not in ("cycle", "name")}
    a, b = fws[min(fws)], fws[max(fws)]
    return body(a) == body(b)


# ------------------------------------------------------------------------- rendering
def _text(path: Path) -> str:
    """The visible text of a page: tags, scripts and styles removed, entities decoded, spaces collapsed."""
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html.unescape(page).split())


@pytest.fixture(scope="module", params=CASES)
def rendered(request, tmp_path_factory):
    """One batch (two cities, both national reports, the index) and one compare page per data folder."""
    from dmaf_analysis.batch import render_batch
    from dmaf_analysis.cli import main

    name = request.param
    base = FIXTURES / name
    out = tmp_path_factory.mktemp(name)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DMAF_DATA_DIR", str(base))
        f = facts(name)
        cities = sorted(f["latest"]["city"])[:2]
        summary = render_batch(scores_path=base / "scores.csv", output_dir=out, workers=2, progress=False,
                               only=cities)
        assert summary.exit_code == 0, summary.text()
        assert main(["compare", *cities, "--data", str(base / "scores.csv"), "--output-dir", str(out)]) == 0
        dataset = load_dataset(base / "scores.csv")
    pages = {"index": out / "index.html",
             "overview": next((out / "national").glob("overview-cycle-*.html")),
             "trends": next((out / "national").glob("trends-cycle-*.html")),
             "compare": next((out / "compare").rglob("*.html"))}
    cards = sorted((out / "cities").glob(f"*/cycle-{max(f['frameworks'])}.html"))
    assert len(cards) == 2
    pages.update({f"card{i}": p for i, p in enumerate(cards)})
    return {"name": name, "facts": f, "text": {k: _text(v) for k, v in pages.items()},
            "dataset": dataset, "cities": cities}


def _pages(rendered, prefix: str = "") -> dict[str, str]:
    return {k: v for k, v in rendered["text"].items() if k.startswith(prefix)}


# ------------------------------------------------------------------------------ tests
@pytest.mark.slow
def test_no_page_names_the_bundled_framework_or_claims_what_is_false(rendered):
    for page, text in _pages(rendered).items():
        for word in FOREIGN:
            assert word not in text, f"{rendered['name']} {page}: {word!r}"
        assert "most lines rise" not in text.lower() and "lower half" not in text
        assert "pull the same way" not in text  # a correlation is negative on both data folders
        assert "come from the city's report card" not in text and "comes from the city's report card" not in text


@pytest.mark.slow
def test_overview_sentences_agree_with_the_data(rendered):
    f = rendered["facts"]
    text = rendered["text"]["overview"]
    latest = f["latest"]
    n = len(latest)
    above = int((latest["overall"] > 50).sum())
    assert above * 2 > n  # the fixtures are built so
    who = f"all {n} cities score" if above == n else f"most cities ({above} of {n}) score"
    assert f"{who} above 50, in the upper half of the scale" in text
    assert f["negative"], "the fixture has a negative correlation"
    for a, b, rho in f["negative"]:
        assert f"{a} and {b} (Spearman \u03c1 = {national.format_number(rho, 2)})" in text
    k = len(f["negative"])
    total = len(f["names"]) * (len(f["names"]) - 1) // 2
    if k < total:
        assert f"{k} of the {total} correlations between components {'is' if k == 1 else 'are'} negative" in text
    n_ind = len(f["frameworks"][max(f["frameworks"])]["indicators"])
    assert f"Every indicator maximum ({n_ind}) is on record" in text
    assert "the component weights are on record and the level thresholds on record" in text
    about = f["frameworks"][max(f["frameworks"])]["about"].split()[0:4]
    assert " ".join(about) in text and f["frameworks"][max(f["frameworks"])]["publisher"] in text
    # the missing-value treatment changes nothing on complete data: not run, with its note
    assert "the treatment of missing values: no indicator value is missing in this cycle" in text
    assert "Here the component weights and the aggregation (arithmetic or geometric mean) vary" in text


@pytest.mark.slow
def test_trends_sentences_agree_with_the_data(rendered):
    f = rendered["facts"]
    text = rendered["text"]["trends"]
    assert f["n_fell"] * 2 > f["n"]
    assert f"Most lines fall: {f['n_fell']} of {f['n']} cities lost ground, {f['n_rose']} rose." in text
    assert f"{f['n_rose']} cities improved, {f['n_fell']} declined" in text
    a, b = min(f["frameworks"]), max(f["frameworks"])
    if f["same"]:
        assert f"Cycles {a} and {b} use the same framework" in text
        assert "use different frameworks" not in text
    else:
        assert f"Cycles {a} and {b} use different frameworks" in text
        assert "use the same framework" not in text


@pytest.mark.slow
def test_card_sentences_agree_with_the_data(rendered):
    f = rendered["facts"]
    fw = f["frameworks"][max(f["frameworks"])]
    for page, text in _pages(rendered, "card").items():
        on_record = [s for s in f["sources"] if s != "synthetic"]
        assert any(f"'{s}'" in text for s in on_record), page  # the source as the data give it
        assert "Every indicator maximum is on record." in text
        assert "some indicator maxima" not in text
        assert "every indicator maximum is on record, the component weights are on record and the level " \
               "thresholds are on record" in text
        assert fw["publisher"] in text and fw["name"] in text
        assert ("The cycles use different frameworks" in text) == (not f["same"]), page
        assert "illustrative placeholder" not in text


@pytest.mark.slow
def test_index_and_compare_credit_the_framework_itself(rendered):
    fw = rendered["facts"]["frameworks"][max(rendered["facts"]["frameworks"])]
    for page in ("index", "compare"):
        text = rendered["text"][page]
        assert fw["publisher"] in text, page
    assert "Certification thresholds are those of the framework file, on record." in rendered["text"]["index"]
    assert "illustrative" not in rendered["text"]["index"]


# ------------------------------------------------------------- fast checks on the data
@pytest.mark.parametrize("name", CASES)
def test_findings_functions_on_the_contrarian_data(name, monkeypatch):
    """The sentence functions themselves, without rendering (fast)."""
    monkeypatch.setenv("DMAF_DATA_DIR", str(FIXTURES / name))
    f = facts(name)
    ds = load_dataset(FIXTURES / name / "scores.csv")
    last = max(f["frameworks"])
    tables = {"leaderboard": ds.scored[ds.scored["cycle"] == last],
              "correlations": __import__("dmaf_analysis.stats", fromlist=["x"]).component_correlations(
                  ds.scored, cycle=last, frameworks=ds.frameworks),
              "provenance": national.provenance_table(ds, [last])}
    labels = national.component_labels(ds.frameworks[last])
    assert "upper half" in national.distribution_sentence(tables)
    sentence = national.correlation_sentence(tables, labels=labels)
    assert "negative" in sentence and "same way" not in sentence
    assert national.record_sentence(tables).startswith("Every indicator maximum")
    assert national.frameworks_sentence(ds.frameworks, min(f["frameworks"]), last).startswith(
        f"Cycles {min(f['frameworks'])} and {last} use {'the same' if f['same'] else 'different'} framework")
    about = card.about_text(ds, cycle=last)
    assert f["frameworks"][last]["publisher"] in about and "DMAF" not in about and "Smart Cities" not in about


def test_identical_cycle_files_are_one_framework():
    fws = {fw.cycle: fw for fw in (read_framework(p) for p in (FIXTURES / "upland" / "frameworks").glob("*.yaml"))}
    assert fws[1].same_definition(fws[2])
    assert card.change_caveat(fws[1], fws[2]) == ""
    harbour = {fw.cycle: fw for fw in (read_framework(p) for p in (FIXTURES / "harbour" / "frameworks").glob("*"))}
    assert not harbour[1].same_definition(harbour[2])
    assert card.change_caveat(harbour[1], harbour[2]).startswith("The cycles use different frameworks")


def test_misspelt_framework_key_names_the_file_line_and_the_right_key(tmp_path):
    text = (FIXTURES / "upland" / "frameworks" / "upland-1.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    line = next(i for i, x in enumerate(lines, start=1) if "weight: 0.3" in x)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("weight: 0.3", "wieght: 0.3", 1), encoding="utf-8")
    with pytest.raises(FrameworkError) as err:
        read_framework(bad)
    message = str(err.value)
    assert str(bad) in message and f"line {line}:" in message
    assert "unknown key 'wieght'" in message and "did you mean 'weight'?" in message
    bad.write_text(text.replace("provenance: on_record\n", "provenence: seen\n", 1), encoding="utf-8")
    with pytest.raises(FrameworkError, match="unknown key 'provenence' in the framework; did you mean 'provenance'"):
        read_framework(bad)
