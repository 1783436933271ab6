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

__all__ = ["ALPHA", "overview_findings", "trends_findings"]

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
        out.append(_national_sentence(overall.iloc[0]))
    levels = tables.get("level_counts", pd.DataFrame())
    if len(levels):
        out.append(_certified_sentence(levels))
    comps = dist[dist["measure"] != "overall"] if len(dist) else dist
    comps = comps.dropna(subset=["mean"]) if len(comps) else comps
    if len(comps) >= 2:
        out.append(_components_sentence(comps, labels))
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
                    certified_levels=None) -> list[str]:
    """Key findings of a comparison of two cycles, written from :func:`national.trend_tables`.

    The mean change of the overall score with its interval, how many cities
    improved, declined or stayed, the Wilcoxon test in words with its effect
    size and what that means, the components that moved most and least, rank
    stability, certification gained and lost (``certified_levels``: names of
    the certified levels of the later cycle, when known) and the cities left out.
    """
    labels = labels or {}
    out: list[str] = []
    summary = tables.get("change_summary", pd.DataFrame())
    overall = summary[summary["measure"] == "overall"] if len(summary) else summary
    if len(overall):
        o = overall.iloc[0]
        a, b = int(o["cycle_from"]), int(o["cycle_to"])
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


