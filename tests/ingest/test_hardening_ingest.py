"""Adversarial report cards (issue 12): many score tokens, many cards in one file, long texts.

The placement search used to recurse once per score token (RecursionError from about
1,000 tokens, which aborted the whole ``dmaf ingest`` run and wrote nothing) and line
numbers were counted from the start of the text for every token (quadratic time).
"""
from __future__ import annotations

import random
import re
import subprocess
import sys

import pandas as pd
import pytest
from test_reader import FW, build_card, full_truth

from dmaf_analysis.errors import ReportCardError
from dmaf_analysis.ingest import _placement as placement_module
from dmaf_analysis.ingest import ingest, parse_report_card
from dmaf_analysis.ingest._scan import Event, LineIndex, Token

TIMEOUT = 120


def test_many_cards_in_one_file_fail_alone_and_the_others_are_written(tmp_path):
    rng = random.Random(12)
    cities = [("Surat", "Gujarat"), ("Pune", "Maharashtra"), ("Kohima", "Nagaland")]
    bundle = "\n".join(build_card(full_truth(rng), city=c, state=s) for c, s in cities * 34)  # 102 cards
    (tmp_path / "a_bundle.txt").write_text(bundle, encoding="utf-8")
    truth = full_truth(random.Random(3))
    (tmp_path / "b_agra.txt").write_text(build_card(truth, city="Agra", state="Uttar Pradesh"), encoding="utf-8")
    scores, city_table, problems = ingest([tmp_path])
    assert city_table["city"].tolist() == ["Agra"]
    got = scores.set_index("indicator")["score"]
    assert all(got[i] == v for i, v in truth.items())
    errors = [p for p in problems if p.level == "error"]
    assert len(errors) == 1 and errors[0].file.endswith("a_bundle.txt")
    assert "several report cards in one file" in errors[0].message

    out = tmp_path / "out" / "scores.csv"
    result = subprocess.run([sys.executable, "-m", "dmaf_analysis.cli", "ingest", str(tmp_path), "-o", str(out)],
                            capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 1 and "Traceback" not in result.stderr and "unexpected" not in result.stderr
    assert "a_bundle.txt" in result.stderr
    assert pd.read_csv(out)["city"].unique().tolist() == ["Agra"]


def test_a_card_with_a_thousand_score_tokens_is_a_problem_not_a_crash():
    text = build_card(full_truth(random.Random(5))) + "\n" + "\n".join(["Score: 5/20"] * 1200)
    with pytest.raises(ReportCardError, match="1[0-9]{3} scores for the 21 indicators"):
        parse_report_card(text, "big.txt")


def test_placement_search_is_not_recursive():
    # 5,000 tokens that fit nothing: the search goes 5,000 levels deep (dropping each one)
    n = 5000
    tokens = [Token(Event("token", k, k + 1, value=1.0, max_score=10.0), []) for k in range(n)]
    search = placement_module._Placement(tokens, [0], [(0, 10.0)], {}, 1)  # noqa: SLF001 - the search itself
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # a recursive search would fail at once
    try:
        search.run()
    finally:
        sys.setrecursionlimit(limit)
    assert search.best_first == [None] * n and search.nodes == n + 1


class _RecursiveReference(placement_module._Placement):  # noqa: SLF001 - the search as it was
    """The recursive search the package used before (for the equivalence test only)."""

    def run(self) -> None:
        self._recurse(0, 0, [None] * len(self.tokens), {}, {}, 0, 0)

    def _recurse(self, i, comp_floor, chosen, used, last_in_class, drops, anchors):
        self.nodes += 1
        if self.best_key is not None and drops > self.best_key[0]:
            return
        if i == len(self.tokens):
            self._leaf(chosen, used, drops, anchors)
            return
        tok = self.tokens[i]
        for ind in tok.candidates:
            comp = self.ind_comp[ind]
            if comp < comp_floor or ind in used:
                continue
            chosen[i] = ind
            used[ind] = i
            if tok.anchor_of == ind:
                self._recurse(i + 1, comp, chosen, used, last_in_class, drops, anchors + 1)
            else:
                cls = self.class_of[ind]
                prev = last_in_class.get(cls)
                if prev is None or prev < ind:
                    last_in_class[cls] = ind
                    self._recurse(i + 1, comp, chosen, used, last_in_class, drops, anchors)
                    if prev is None:
                        del last_in_class[cls]
                    else:
                        last_in_class[cls] = prev
            del used[ind]
        chosen[i] = None
        self._recurse(i + 1, comp_floor, chosen, used, last_in_class, drops + 1, anchors)


def _tokens_of(text: str):
    from dmaf_analysis.cities import load_cities
    from dmaf_analysis.framework import load_frameworks
    from dmaf_analysis.ingest import _scan as scan

    frameworks, problems = load_frameworks(), []
    headings = scan.find_headings(text, "t")
    header = scan.read_header(text[:headings[0].start()], "t", frameworks=frameworks, cities=load_cities(),
                              default_cycle=None, problems=problems)
    layout = scan.CardLayout.of(frameworks[header.cycle])
    events = scan.read_events(text, headings, layout, header.cycle, "t", problems)
    totals = scan.printed_totals(events, layout, "t", problems)
    tokens = scan.candidate_tokens(events, layout, totals, scan.anchors(events, layout), "t", problems)
    return tokens, layout, totals.totals


@pytest.mark.parametrize("seed", range(12))
def test_iterative_search_gives_the_same_placements_as_the_recursive_one(seed):
    rng = random.Random(seed)
    comps = [c for c in FW.component_ids if rng.random() < 0.5]
    text = build_card(full_truth(rng), rng=rng, totals=comps)
    tokens, layout, totals = _tokens_of(text)
    args = (tokens, layout.ind_comp, [layout.class_of(i) for i in range(len(layout.ind_ids))], totals,
            len(layout.comp_ids))
    new, old = placement_module._Placement(*args), _RecursiveReference(*args)  # noqa: SLF001
    new.run()
    old.run()
    assert (new.best_first, new.values, new.token_sets, new.nodes) == \
        (old.best_first, old.values, old.token_sets, old.nodes)


@pytest.mark.parametrize("seed", range(3))
def test_line_index_matches_counting_from_the_start(seed):
    rng = random.Random(seed)
    text = "".join(rng.choice("ab \n\n") for _ in range(5000))
    index = LineIndex(text)
    for pos in [0, len(text), *rng.sample(range(len(text)), 200)]:
        assert index.line_of(pos) == text.count("\n", 0, pos) + 1


def test_warnings_in_a_long_card_name_the_right_lines():
    filler = "\n".join(f"Notes line {k}." for k in range(20000))
    text = build_card(full_truth(random.Random(9)), filler=(filler,))
    text += "\nScore: 99/10\n"  # above its maximum, on the last line
    card = parse_report_card(text, "long.txt")
    last_line = text.count("\n")
    messages = [p.message for p in card.problems]
    assert any(re.match(rf"line {last_line}: score 99/10", m) for m in messages), messages
