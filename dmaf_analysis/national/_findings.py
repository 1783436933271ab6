"""The "Key findings" of the national reports: sentences written from the numbers.

:func:`overview_findings` (one cycle, from
:func:`~dmaf_analysis.national.national_tables`) and :func:`trends_findings` (two
cycles, from :func:`~dmaf_analysis.national.trend_tables`) return plain sentences,
each a claim the sections below it let a reader check; a sentence whose table is
empty is left out. Numbers are written with
``_formats``; significance is judged at :data:`ALPHA`.
"""
from __future__ import annotations

import pandas as pd

from ._columns import SMALL_GROUP, group_table
from ._formats import effect_words, format_number, format_p, format_share, format_signed, format_span

__all__ = ["ALPHA", "correlation_sentence", "distribution_sentence", "frameworks_sentence", "overview_findings",
           "record_sentence", "sensitivity_intro", "slope_sentence", "trends_findings"]

#: Significance level used by the findings' wording.
ALPHA = 0.05


def _n(count: int, one: str, many: str | None = None) -> str:
    count = int(count)
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _score(value) -> str:
    return format_number(value, 0) if float(value) == round(float(value)) else format_number(value, 1)


def _p_words(p) -> str:
    text = format_p(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def _label(labels: dict, key) -> str:
    return str(labels.get(key, key))


# ------------------------------------------------------------------------ one cycle
def overview_findings(tables: dict[str, pd.DataFrame], *, labels: dict | None = None,
                      grouping: str = "region", top: int = 10) -> list[str]:
    """Key findings of one cycle, as plain sentences written from :func:`national.national_tables`.

    The sentences cover the national mean and median, how many cities are
    certified, the best and worst components, whether the groups of
    ``grouping`` differ (Kruskal-Wallis on the overall score, with the highest
    and lowest group medians), how robust the top ``top`` ranks are, how many
    cities could fall on either side of certification, and the engagement
    association. A sentence is left out when its table is empty.
    """
    labels = labels or {}
    out: list[str] = []
    dist = tables.get("distributions", pd.DataFrame())
    overall = dist[dist["measure"] == "overall"] if len(dist) else dist
    if len(overall):
        where = _where_clause(tables)
        sentence = _national_sentence(overall.iloc[0])
        out.append(sentence[:-1] + f"; {where}." if where else sentence)
    levels = tables.get("level_counts", pd.DataFrame())
    if len(levels):
        out.append(_certified_sentence(levels))
    comps = dist[dist["measure"] != "overall"] if len(dist) else dist
    comps = comps.dropna(subset=["mean"]) if len(comps) else comps
    if len(comps) >= 2:
        out.append(_components_sentence(comps, labels))
    signs = correlation_sentence(tables, labels=labels)
    if signs:
        out.append(signs)
    kw = tables.get("kruskal_wallis", pd.DataFrame())
    groups = tables.get(f"group_medians_{grouping}", pd.DataFrame())
    if len(kw) and len(groups):
        out.extend(_groups_sentence(kw, groups, grouping))
    robust = tables.get("robustness_cities", pd.DataFrame())
    if len(robust):
        out.extend(_robustness_sentences(robust, top))
    assoc = tables.get("engagement_association", pd.DataFrame())
    if len(assoc) and pd.notna(assoc.iloc[0]["rho"]):
        out.append(_engagement_sentence(assoc.iloc[0]))
    return out


def _overall_values(tables: dict[str, pd.DataFrame]) -> pd.Series:
    """Every ranked city's overall score, from the ``leaderboard`` table (empty when absent)."""
    board = tables.get("leaderboard", pd.DataFrame())
    if not len(board) or "overall" not in board.columns:
        return pd.Series(dtype=float)
    return pd.to_numeric(board["overall"], errors="coerce").dropna()


def _where_clause(tables: dict[str, pd.DataFrame], middle: float = 50.0) -> str:
    """``"most cities (71 of 100) score below 50"``, or above, or an even split ("" without scores)."""
    values = _overall_values(tables)
    if not len(values):
        return ""
    n = len(values)
    low, high = int((values < middle).sum()), int((values > middle).sum())
    mid = format_number(middle, 0)
    if low * 2 > n:
        who = f"all {n} cities score" if low == n else f"most cities ({low} of {n}) score"
        return f"{who} below {mid}, in the lower half of the scale"
    if high * 2 > n:
        who = f"all {n} cities score" if high == n else f"most cities ({high} of {n}) score"
        return f"{who} above {mid}, in the upper half of the scale"
    return f"the cities split about evenly around {mid} ({low} of {n} below, {high} above)"


def distribution_sentence(tables: dict[str, pd.DataFrame], *, middle: float = 50.0) -> str:
    """Where most cities sit on the 0-100 scale: below or above ``middle``, with the counts ("" without scores).

    Counts come from the ``leaderboard`` (every city with an overall score); a
    city exactly at ``middle`` counts on neither side.
    """
    where = _where_clause(tables, middle)
    if not where:
        return ""
    return f"{where[0].upper()}{where[1:]} (median overall {_score(_overall_values(tables).median())})."


def correlation_sentence(tables: dict[str, pd.DataFrame], *, labels: dict | None = None) -> str:
    """The sign of the correlations between components, naming every negative pair ("" without a table).

    Pairs come from the ``correlations`` table (Spearman, components only, each
    pair once); pairs without a coefficient are left out.
    """
    labels = labels or {}
    corr = tables.get("correlations", pd.DataFrame())
    if not len(corr):
        return ""
    pairs = corr[(corr["measure_a"] != "overall") & (corr["measure_b"] != "overall")
                 & (corr["measure_a"] != corr["measure_b"])].dropna(subset=["rho"])
    order = {m: i for i, m in enumerate(dict.fromkeys(corr["measure_a"]))}
    pairs = pairs[[order[a] < order[b] for a, b in zip(pairs["measure_a"], pairs["measure_b"])]]
    if not len(pairs):
        return ""
    neg = pairs[pairs["rho"] < 0].sort_values("rho")
    n = len(pairs)
    if not len(neg):
        if n == 1:
            return "The two components correlate positively: they pull the same way."
        return f"All {n} correlations between components are positive: the components pull the same way."
    named = "; ".join(f"{_label(labels, r.measure_a)} and {_label(labels, r.measure_b)} "
                      f"(Spearman \u03c1 = {format_number(r.rho, 2)})" for r in neg.itertuples())
    if len(neg) == n:
        head = ("The two components correlate negatively" if n == 1
                else f"All {n} correlations between components are negative")
        return f"{head}: {named}. High scores on one go with low scores on the other."
    rest = n - len(neg)
    return (f"{len(neg)} of the {n} correlations between components {'is' if len(neg) == 1 else 'are'} "
            f"negative: {named}. These components pull against each other; the other {_n(rest, 'pair')} "
            f"correlate{'s' if rest == 1 else ''} positively or not at all.")


def record_sentence(tables: dict[str, pd.DataFrame]) -> str:
    """Which indicator maxima, component weights and level thresholds are on record (from ``provenance``)."""
    prov = tables.get("provenance", pd.DataFrame())
    if not len(prov) or "n_maxima" not in prov.columns:
        return ""
    row = prov.iloc[-1]
    if str(row["framework_provenance"]) == "illustrative":
        return "The framework itself is an illustrative placeholder: none of its parts is on record."
    n, known = int(row["n_maxima"]), int(row["n_maxima_on_record"])
    maxima = (f"every indicator maximum ({n}) is on record" if known == n else
              "no indicator maximum is on record" if known == 0 else
              f"{known} of the {n} indicator maxima are on record ({n - known} inferred or illustrative)")
    weights = "assumed" if bool(row["weights_illustrative"]) else "on record"
    thresholds = "illustrative" if bool(row["thresholds_illustrative"]) else "on record"
    return (f"{maxima[0].upper()}{maxima[1:]}; the component weights are {weights} and the level thresholds "
            f"{thresholds}.")


_KIND_WORDS = {"weights": "the component weights", "aggregation": "the aggregation (arithmetic or geometric mean)",
               "thresholds": "the level thresholds", "missing": "the treatment of missing values"}


def sensitivity_intro(tables: dict[str, pd.DataFrame]) -> str:
    """What the sensitivity analysis varies and what it leaves out, from its tables ("" without them)."""
    spec = tables.get("sensitivity_assumptions", pd.DataFrame())
    if not len(spec):
        return ""
    parts = []
    for row in spec.itertuples():
        if row.kind == "maxima":
            k = int(row.n_variables)
            parts.append(f"{k} indicator maxim{'um' if k == 1 else 'a'}")
        else:
            parts.append(_KIND_WORDS.get(str(row.kind), str(row.assumption)))
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    settings = tables.get("sensitivity_settings", pd.DataFrame())
    runs = ""
    if len(settings) and "n_runs" in settings.columns:
        runs = f" over {int(settings.iloc[0]['n_runs']):,} model runs"
    text = (f"Here {listed} {'vary' if len(parts) > 1 else 'varies'} at once{runs}, each within the range "
            "listed below.")
    notes = str(settings.iloc[0].get("notes", "") or "") if len(settings) else ""
    left = [_left_out_words(n) for n in notes.split("left out") if n.strip(" ;")]
    if left:
        text += " Left out, since they would change nothing on these data: " + "; ".join(left) + "."
    return text


def _left_out_words(note: str) -> str:
    """One note of the sensitivity settings (``"assumption #3 (thresholds): no threshold varies ..."``) in words."""
    import re

    note = note.strip(" ;")
    m = re.match(r"assumption #\d+ \((\w+)\): (.*)$", note) or re.match(r"assumption '([^']+)' (.*)$", note)
    if not m:
        return note
    kind, why = m.group(1), m.group(2)
    what = _KIND_WORDS.get(kind, "the indicator maxima" if kind == "maxima" else f"'{kind}'")
    why = re.sub(r"^changes nothing: ", "", why)
    return f"{what}: {why}"


def slope_sentence(tables: dict[str, pd.DataFrame]) -> str:
    """How many of the paired cities' lines rise, fall or stay flat (from ``city_changes``)."""
    changes = tables.get("city_changes", pd.DataFrame())
    if not len(changes):
        return ""
    change = pd.to_numeric(changes["change"], errors="coerce").dropna()
    n = len(change)
    up, down = int((change > 0).sum()), int((change < 0).sum())
    flat = n - up - down
    rest = f" and {flat} stayed level" if flat else ""
    if up * 2 > n:
        return f"Most lines rise: {up} of {n} cities gained, {down} fell{rest}."
    if down * 2 > n:
        return f"Most lines fall: {down} of {n} cities lost ground, {up} rose{rest}."
    return f"Rises and falls are about even: {up} of {n} cities gained, {down} fell{rest}."


def frameworks_sentence(frameworks, cycle_from: int, cycle_to: int) -> str:
    """Whether the two cycles were assessed on the same framework definition."""
    a, b = frameworks[int(cycle_from)], frameworks[int(cycle_to)]
    if a.same_definition(b):
        return (f"Cycles {int(cycle_from)} and {int(cycle_to)} use the same framework (the same components, "
                "weights, indicators, maxima and levels), so their scores compare directly.")
    return (f"Cycles {int(cycle_from)} and {int(cycle_to)} use different frameworks, so the comparison rests on "
            "the components matched between them and on the overall score.")


def _national_sentence(o: pd.Series) -> str:
    """The national mean, median and middle half of the overall score (a ``distributions`` row)."""
    return (f"Across {_n(o['n'], 'city', 'cities')}, the mean overall score is {_score(o['mean'])} "
            f"out of 100 (median {_score(o['median'])}, middle half {format_span(o['q1'], o['q3'])}).")


def _certified_sentence(levels: pd.DataFrame) -> str:
    """How many cities are certified and, with several certified levels, how many reached the highest."""
    n_cert = int(levels.loc[levels["certified"].astype(bool), "n"].sum())
    total = int(levels["n"].sum())
    top_level = levels.iloc[-1]
    sentence = f"{n_cert} of {total} cities ({format_share(n_cert / total) if total else '0 %'}) are certified"
    if int(levels["certified"].astype(bool).sum()) > 1:  # several certified levels: name the highest
        sentence += f"; {_n(top_level['n'], 'city', 'cities')} reached the highest level, {top_level['level']}"
    return sentence + "."


def _components_sentence(comps: pd.DataFrame, labels: dict) -> str:
    """The components with the highest and lowest mean, and the one most cities score 0 on."""
    best = comps.loc[comps["mean"].idxmax()]
    worst = comps.loc[comps["mean"].idxmin()]
    zero = comps.loc[comps["share_zero"].idxmax()]
    sentence = (f"Cities score highest on {_label(labels, best['measure'])} (mean {_score(best['mean'])}) "
                f"and lowest on {_label(labels, worst['measure'])} (mean {_score(worst['mean'])})")
    if float(zero["share_zero"]) > 0:
        sentence += (f"; {format_share(zero['share_zero'])} of cities score 0 on "
                     f"{_label(labels, zero['measure'])}")
    return sentence + "."


def _groups_sentence(kw: pd.DataFrame, groups: pd.DataFrame, grouping: str) -> list[str]:
    """Whether the groups differ in overall score (Kruskal-Wallis), with the highest and lowest medians.

    No sentence without a test result or with fewer than two groups of
    :data:`~dmaf_analysis.national.SMALL_GROUP` cities or more.
    """
    row = kw[(kw["grouping"] == grouping) & (kw["measure"] == "overall")]
    g = group_table(groups)
    big = g[g["n"] >= SMALL_GROUP]
    if not (len(row) and pd.notna(row.iloc[0]["p_value"]) and len(big) >= 2):
        return []
    name = grouping.replace("_", " ")
    plural = "regions" if grouping == "region" else "states" if grouping == "state" else f"{name}s"
    r = row.iloc[0]
    hi, lo = big.iloc[0], big.iloc[-1]
    test = f"Kruskal-Wallis {_p_words(r['p_value'])}, \u03b5\u00b2 = {format_number(r['epsilon_squared'], 2)}"
    spread = (f"median overall {_score(hi['median'])} in {hi['group']} ({_n(hi['n'], 'city', 'cities')}"
              f"{_mean_words(hi)}) against {_score(lo['median'])} in {lo['group']} "
              f"({_n(lo['n'], 'city', 'cities')}{_mean_words(lo)})")
    if float(r["p_value"]) < ALPHA:
        sentence = f"The {plural} differ in overall score ({test}): {spread}."
    else:
        sentence = f"The {plural} do not differ clearly in overall score ({test}); {spread}."
    if "mean" in big.columns and big["mean"].notna().any():
        top_mean = big.loc[big["mean"].idxmax()]
        if top_mean["group"] != hi["group"]:  # the mean (what releases often publish) ranks the groups otherwise
            lift = ("; its median is " + _score(top_mean["median"]) + ", so a few high scores lift its mean"
                    if float(top_mean["mean"]) > float(top_mean["median"]) else "")
            sentence = sentence[:-1] + (f"; by the mean, {top_mean['group']} is highest ({_score(top_mean['mean'])}, "
                                        f"{_n(top_mean['n'], 'city', 'cities')}{lift}).")
    small = g[g["n"] < SMALL_GROUP]
    if len(small):
        verb = "is" if len(small) == 1 else "are"
        sentence = sentence[:-1] + (f"; {_n(len(small), name)} with fewer than {SMALL_GROUP} cities "
                                    f"{verb} too small to compare.")
    return [sentence]


def _mean_words(row) -> str:
    """"; mean 45" beside a group's median, so a reader can set it against a published mean ("" without one)."""
    mean = row.get("mean") if hasattr(row, "get") else None
    return f"; mean {_score(mean)}" if mean is not None and pd.notna(mean) else ""


def _robustness_sentences(robust: pd.DataFrame, top: int) -> list[str]:
    """How many of the top ``top`` keep their place across the draws, and how many could change certification."""
    n_top = robust[robust["nominal_rank"] <= top]
    kept = int((n_top["rank_p95"] <= top).sum())
    first = robust.sort_values(["nominal_rank", "city"]).iloc[0]
    certain_first = int(first["rank_p05"]) == int(first["rank_p95"]) == int(first["nominal_rank"])
    first_words = (f"{first['city']} keeps rank {int(first['nominal_rank'])} in every draw between the 5th and "
                   f"95th percentile" if certain_first else
                   f"{first['city']}'s rank ranges from {int(first['rank_p05'])} to {int(first['rank_p95'])}")
    either = int(((robust["p_certified"] > 0.05) & (robust["p_certified"] < 0.95)).sum())
    return [f"Ranks at the top are {'robust' if kept >= 0.8 * len(n_top) else 'not all robust'}: "
            f"{kept} of the {len(n_top)} cities ranked in the top {top} stay there in 95 % of the draws "
            f"that change the weights (\u00b125 %) and the aggregation; {first_words}.",
            f"{_n(either, 'city', 'cities')} could fall on either side of certification "
            "(certified in between 5 % and 95 % of the draws)."]


def _engagement_sentence(a: pd.Series) -> str:
    """How strongly engagement and maturity go together (an ``engagement_association`` row)."""
    return (f"Engagement and maturity go together {effect_words(a['rho'])}ly (Spearman \u03c1 = "
            f"{format_number(a['rho'], 2)}, {_p_words(a['p_value'])}, {_n(a['n'], 'city', 'cities')})."
            .replace("negligiblely", "negligibly").replace("smallly", "weakly")
            .replace("mediumly", "moderately").replace("largely", "strongly"))


# ----------------------------------------------------------------------- two cycles
def _component_change_sentence(comps: pd.DataFrame, labels: dict) -> str:
    """Which component moved most and least (by size of the mean change), right for rises and falls alike."""
    size = comps["mean_change"].astype(float).abs()
    big = comps.loc[size.idxmax()]
    small = comps.loc[size.idxmin()]

    def moved(row) -> str:
        v = float(row["mean_change"])
        word = "rise" if v > 0 else "fall" if v < 0 else "change"
        return f"{_label(labels, row['measure'])} ({word} of {format_number(abs(v))} points)"

    return (f"The component that moved most is {moved(big)}; the one that moved least is "
            f"{moved(small)} (mean change per city, by size).")


def trends_findings(tables: dict[str, pd.DataFrame], *, labels: dict | None = None,
                    certified_levels=None, frameworks=None) -> list[str]:
    """Key findings of a comparison of two cycles, written from :func:`national.trend_tables`.

    The mean change of the overall score with its interval, how many cities
    improved, declined or stayed, the Wilcoxon test in words with its effect
    size and what that means, the components that moved most and least, rank
    stability, certification gained and lost (``certified_levels``: names of
    the certified levels of the later cycle, when known), the cities left out
    and, with ``frameworks``, whether the two cycles share a framework.
    """
    labels = labels or {}
    out: list[str] = []
    summary = tables.get("change_summary", pd.DataFrame())
    overall = summary[summary["measure"] == "overall"] if len(summary) else summary
    if len(overall):
        o = overall.iloc[0]
        a, b = int(o["cycle_from"]), int(o["cycle_to"])
        if frameworks is not None and a in frameworks and b in frameworks:
            out.append(frameworks_sentence(frameworks, a, b))
        out.append(f"For the {_n(o['n'], 'city', 'cities')} assessed in both cycles, the mean overall score went "
                   f"from {format_number(o['mean_from'])} in cycle {a} to {format_number(o['mean_to'])} in cycle {b}: "
                   f"a change of {format_signed(o['mean_change'], marks=False)} points (95 % interval "
                   f"{format_signed(o['mean_change_ci_low'], marks=False)} to "
                   f"{format_signed(o['mean_change_ci_high'], marks=False)}).")
        out.append(f"{_n(o['n_improved'], 'city', 'cities')} improved, {int(o['n_declined'])} declined and "
                   f"{int(o['n_unchanged'])} kept the same overall score.")
        if pd.notna(o["p_value"]):
            r = float(o["rank_biserial"])
            direction = "gains" if r > 0 else "falls"
            other = "falls" if r > 0 else "gains"
            lean = ("The changes lean clearly towards " + direction if float(o["p_value"]) < ALPHA
                    else "The changes do not lean clearly either way")
            out.append(f"{lean} (Wilcoxon signed-rank test, {_p_words(o['p_value'])}); the effect is "
                       f"{effect_words(r)} (rank-biserial r = {format_number(r, 2)}): ranked by size, the "
                       f"{direction} outweigh the {other} by {format_share(abs(r))} of all the ranked change.")
    comps = summary[summary["measure"] != "overall"].dropna(subset=["mean_change"]) if len(summary) else summary
    if len(comps) >= 2:
        out.append(_component_change_sentence(comps, labels))
    changes = tables.get("city_changes", pd.DataFrame())
    if len(changes) and certified_levels is not None:
        cert = set(certified_levels)
        was = changes["level_from"].isin(cert)
        now = changes["level_to"].isin(cert)
        out.append(f"{_n(int((~was & now).sum()), 'city', 'cities')} became certified and "
                   f"{int((was & ~now).sum())} lost certification (levels of each cycle's own framework).")
    mob = tables.get("rank_mobility", pd.DataFrame())
    if len(mob) and pd.notna(mob.iloc[0]["spearman_rho"]):
        m = mob.iloc[0]
        rho = float(m["spearman_rho"])
        kept = "largely kept" if rho >= 0.7 else "partly kept" if rho >= 0.4 else "largely reshuffled"
        out.append(f"The ranking was {kept} (Spearman \u03c1 = {format_number(rho, 2)}); cities moved "
                   f"{format_number(m['mean_abs_rank_change'])} places on average, {int(m['n_moved_up'])} up and "
                   f"{int(m['n_moved_down'])} down.")
    if len(changes):
        best = changes.sort_values(["change", "city"], ascending=[False, True]).iloc[0]
        worst = changes.sort_values(["change", "city"], ascending=[True, True]).iloc[0]
        if float(best["change"]) > 0:
            out.append(f"{best['city']} gained most ({format_signed(best['change'], marks=False)} points, rank "
                       f"{int(best['rank_from'])} \u2192 {int(best['rank_to'])})"
                       + (f"; {worst['city']} lost most ({format_signed(worst['change'], marks=False)} points, "
                          f"rank {int(worst['rank_from'])} \u2192 {int(worst['rank_to'])})."
                          if float(worst["change"]) < 0 else "."))
    unpaired = tables.get("unpaired_cities", pd.DataFrame())
    if len(unpaired):
        names = ", ".join(unpaired["city"].astype(str).head(5)) + (", ..." if len(unpaired) > 5 else "")
        out.append(f"{_n(len(unpaired), 'city', 'cities')} assessed in only one cycle ({names}) "
                   f"{'is' if len(unpaired) == 1 else 'are'} left out of these comparisons.")
    return out


