"""The explorer's charts, made with Vega-Altair: the same charts in JupyterLab and in the explorer page.

* :func:`explore_table`: one row per city of a cycle, the columns the charts and
  the page read (with where the values come from);
* :func:`distribution_chart`: every city's overall and component scores as
  points, one row per measure, the selected city marked;
* :func:`scatter_chart`: one component against another (both chosen from
  drop-down lists), a brush to select cities;
* :func:`explorer_chart`: both, linked (the brush highlights the distributions).

Every chart shows the city on hover. JupyterLab renders the returned
``altair`` charts natively. In the page the charts read the named data set
``cities`` (:data:`PAGE_DATA`), so that the page's script can replace the values
when the weights change; the selected city is the parameter ``city`` and the
brush the parameter ``brush``.
"""
from __future__ import annotations

import pandas as pd

from ..framework import Framework, frameworks_or_bundled
from ..io import expects_table
from ..record import city_facts, load_record
from ..scoring import resolve_cycle

__all__ = ["BRUSH", "CITY_PARAM", "PAGE_DATA", "SCATTER", "distribution_chart", "explore_table", "explorer_chart",
           "provenance_text", "scatter_chart"]

#: Names shared by the charts and the page's script.
PAGE_DATA = "cities"
CITY_PARAM = "city"
BRUSH = "brush"
#: The scatter plot's view name (its SVG group has the class ``scatter_group``).
SCATTER = "scatter"
X_PARAM = "x_component"
Y_PARAM = "y_component"


def provenance_text(n_synthetic, n_values) -> str:
    """Where a city's values come from, as the cards say it: "on record", "synthetic", "6 of 21 synthetic"."""
    k, n = int(n_synthetic), int(n_values)
    if k <= 0:
        return "on record"
    return "synthetic" if k >= n else f"{k} of {n} synthetic"


@expects_table("scored")
def explore_table(scored: pd.DataFrame, *, cycle: int = 0,
                  frameworks: dict[int, Framework] | None = None, record: pd.DataFrame | None = None) -> pd.DataFrame:
    """The cities of one cycle as the explorer shows them.

    Parameters
    ----------
    scored : DataFrame
        Output of :func:`~dmaf_analysis.scoring.score_cities`.
    cycle : int, default 0
        The cycle (0 = the latest).
    record : DataFrame, optional
        The published record (:func:`dmaf_analysis.record.load_record`; default:
        the data folder's). A published rank, level or component total that the
        data match is named in ``provenance`` ("synthetic; published: rank 1").

    Returns
    -------
    DataFrame
        One row per city, best rank first, columns ``cycle, city, state,
        region``, one column per component of the cycle's framework,
        ``overall, level, rank, provenance`` (``"on record"``, ``"synthetic"``
        or ``"k of n synthetic"``, counted over the values present, then the
        published values, as on the cards) and ``n_missing``. ``level`` is text
        (empty when unscored).
    """
    frameworks = frameworks_or_bundled(frameworks)
    cycle = resolve_cycle(pd.unique(scored["cycle"]), cycle)
    fw = frameworks[cycle]
    part = scored[scored["cycle"] == cycle]
    n_values = len(fw.indicator_ids) - part["n_missing"].astype(int)
    out = pd.DataFrame({"cycle": cycle, "city": part["city"].astype(str),
                        "state": part["state"].fillna("").astype(str),
                        "region": part["region"].fillna("").astype(str)})
    for comp in fw.component_ids:
        out[comp] = part[comp].astype(float)
    out["overall"] = part["overall"].astype(float)
    out["level"] = part["level"].astype(object).where(part["level"].notna(), "").astype(str)
    out["rank"] = part["rank"].astype("Int64")
    record = load_record() if record is None else record
    # the record is looked up only for the cities it names in this cycle (a few, whatever the panel's size)
    named = set(record.loc[(record["scope"] == "city") & (record["cycle"] == int(cycle)), "subject"].astype(str))
    out["provenance"] = [provenance_text(k, n) + (_published_words(part.iloc[i], fw, record=record, cycle=cycle)
                                                  if city in named else "")
                         for i, (k, n, city) in enumerate(zip(part["n_synthetic"], n_values, out["city"]))]
    out["n_missing"] = part["n_missing"].astype(int)
    return out.reset_index(drop=True)


def _published_words(row: pd.Series, fw: Framework, *, record: pd.DataFrame, cycle: int) -> str:
    """"; published: rank 1, level Enabled" for what the record publishes and the data match ("" for nothing)."""
    facts = city_facts(record, city=str(row["city"]), cycle=cycle)
    if not facts.any:
        return ""
    words = []
    if facts.rank is not None and pd.notna(row["rank"]) and int(row["rank"]) == facts.rank:
        words.append(f"rank {facts.rank}")
    if facts.level is not None and row["level"] == facts.level:
        words.append(f"level {facts.level}")
    names = _labels(fw)
    for comp, total in facts.component_totals.items():
        if comp in names and pd.notna(row[comp]) and abs(float(row[comp]) - float(total)) < 0.5:
            words.append(f"{names[comp]} {float(total):g}")
    return f"; published: {', '.join(words)}" if words else ""


def _alt():
    import altair as alt

    return alt


def _source(table: pd.DataFrame | None):
    """The chart's data: the table itself (notebooks), or the page's named data set (``None``)."""
    alt = _alt()
    return alt.NamedData(name=PAGE_DATA) if table is None else table


def _labels(fw: Framework) -> dict[str, str]:
    return dict(zip(fw.components["component"], fw.components["name"].astype(str)))


def distribution_chart(table: pd.DataFrame | None = None, *, framework: Framework, city: str = "",
                       width: int = 560):
    """Every city's overall and component scores as points, one row per measure, one city marked.

    Points are coloured by level (the colours of :func:`scatter_chart`).

    Parameters
    ----------
    table : DataFrame
        Output of :func:`explore_table` (``None``: the page's named data set).
    framework : Framework
        The cycle's framework (the components and their names).
    city : str
        The city marked (larger, dark red); the parameter ``city`` of the chart.

    Returns
    -------
    altair.LayerChart
    """
    alt = _alt()
    labels = _labels(framework)
    measures = framework.component_ids + ["overall"]
    names = [labels.get(m, m) for m in measures[:-1]] + ["Overall"]
    selected = alt.param(name=CITY_PARAM, value=city)
    base = (alt.Chart(_source(table))
            .transform_fold([_field(m) for m in measures], as_=["measure_id", "value"])
            .transform_calculate(measure=_measure_expression(measures, names))
            .encode(x=alt.X("value:Q", title="Score (out of 100)", scale=alt.Scale(domain=[0, 100])),
                    y=alt.Y("measure:N", title=None, sort=names),
                    tooltip=[alt.Tooltip("city:N", title="City"), alt.Tooltip("measure:N", title="Measure"),
                             alt.Tooltip("value:Q", title="Score", format=".1f"),
                             alt.Tooltip("provenance:N", title="Values")]))
    points = base.mark_circle(size=40, opacity=0.5).encode(color=alt.Color("level:N", title="Level"))
    marked = (base.transform_filter(f"datum.city === {CITY_PARAM}")
              .mark_point(size=180, filled=True, color="#a4161a", shape="diamond", opacity=1))
    return alt.layer(points, marked).add_params(selected).properties(
        width=width, height=28 * len(measures), title="Every city's scores (the selected city in red)")


def _field(name: str) -> str:
    """A column name as a Vega-Lite field (a dot or bracket would otherwise read as a nested field)."""
    return name.replace("\\", "\\\\").replace(".", "\\.").replace("[", "\\[").replace("]", "\\]")


def _measure_expression(measures: list[str], names: list[str]) -> str:
    """A Vega expression mapping a measure id to its name (ids and names quoted as JSON strings)."""
    import json

    expr = "datum.measure_id"
    for mid, name in reversed(list(zip(measures, names))):
        same = f"datum.measure_id === {json.dumps(mid)} || datum.measure_id === {json.dumps(_field(mid))}"
        expr = f"({same}) ? {json.dumps(name)} : ({expr})"
    return expr


def scatter_chart(table: pd.DataFrame | None = None, *, framework: Framework, x: str | None = None,
                  y: str | None = None, size: int = 360):
    """One component against another, each chosen from a drop-down list, with a brush.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`explore_table` (``None``: the page's named data set).
    framework : Framework
    x, y : str, optional
        Component ids on the axes (default: the first two components).

    Returns
    -------
    altair.Chart
        With the parameters ``x_component`` and ``y_component`` (drop-down
        lists) and the interval selection ``brush`` on the fields ``x_value``
        and ``y_value``; points outside the brush are grey.
    """
    alt = _alt()
    comps = framework.component_ids
    x = x or comps[0]
    y = y or comps[min(1, len(comps) - 1)]
    for name, value in (("x", x), ("y", y)):
        if value not in comps:
            raise ValueError(f"{name} must be a component id ({', '.join(comps)}), got {value!r}")
    labels = _labels(framework)
    x_param = alt.param(name=X_PARAM, value=x, bind=alt.binding_select(
        options=comps, labels=[labels[c] for c in comps], name="Horizontal axis: "))
    y_param = alt.param(name=Y_PARAM, value=y, bind=alt.binding_select(
        options=comps, labels=[labels[c] for c in comps], name="Vertical axis: "))
    brush = alt.selection_interval(name=BRUSH, encodings=["x", "y"])
    return (alt.Chart(_source(table))
            .transform_calculate(x_value=f"datum[{X_PARAM}]", y_value=f"datum[{Y_PARAM}]")
            .mark_circle(size=60)
            .encode(x=alt.X("x_value:Q", title="Horizontal component (score)", scale=alt.Scale(domain=[0, 100])),
                    y=alt.Y("y_value:Q", title="Vertical component (score)", scale=alt.Scale(domain=[0, 100])),
                    color=alt.condition(brush, alt.Color("level:N", title="Level"), alt.value("#d0d0d0")),
                    tooltip=[alt.Tooltip("city:N", title="City"), alt.Tooltip("x_value:Q", title="Horizontal",
                                                                             format=".1f"),
                             alt.Tooltip("y_value:Q", title="Vertical", format=".1f"),
                             alt.Tooltip("overall:Q", title="Overall", format=".1f"),
                             alt.Tooltip("level:N", title="Level"), alt.Tooltip("provenance:N", title="Values")])
            .add_params(x_param, y_param, brush)
            .properties(name=SCATTER, width=size, height=size,
                        title="One component against another (drag to select cities)"))


def explorer_chart(table: pd.DataFrame | None = None, *, framework: Framework, city: str = "",
                   x: str | None = None, y: str | None = None):
    """:func:`distribution_chart` above :func:`scatter_chart`, in one chart (one view in the page)."""
    alt = _alt()
    return alt.vconcat(distribution_chart(table, framework=framework, city=city),
                       scatter_chart(table, framework=framework, x=x, y=y)).configure_view(stroke=None)
