"""Leave one out: how far ranks move when one component or one indicator is dropped from the index.

The JRC audit practice for composite indicators: each piece of the index is
left out in turn and everything else is kept as published, so the summary shows
which piece the ranking leans on. Each piece is one model run of
:func:`~dmaf_analysis.sensitivity.run_model`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..framework import Framework
from ..io import expects_table
from ._model_runs import ModelData, model_data, nominal_run, run_model
from ._settings import Settings, nominal_settings

__all__ = ["LeaveOneOut", "leave_one_out"]

_SUMMARY_COLUMNS = ["cycle", "left_out_kind", "left_out", "name", "component", "mean_abs_shift", "max_abs_shift",
                    "n_moved", "n_cities", "most_moved", "most_moved_shift"]


@dataclass(frozen=True, eq=False)
class LeaveOneOut:
    """Result of :func:`leave_one_out`.

    Attributes
    ----------
    summary : DataFrame
        One row per piece left out: ``cycle, left_out_kind`` (``component`` or
        ``indicator``), ``left_out, name, component, mean_abs_shift,
        max_abs_shift, n_moved, n_cities, most_moved, most_moved_shift``.
        ``n_moved`` counts cities whose rank changed; ``most_moved`` is the
        city with the largest rank change (the better-ranked one on a tie),
        ``most_moved_shift`` its change (positive = a lower place).
    cities : DataFrame
        ``cycle, left_out_kind, left_out, city, nominal_rank, rank, shift``.
    """

    summary: pd.DataFrame
    cities: pd.DataFrame


@expects_table("scores")
def leave_one_out(scores: pd.DataFrame, *, cycle: int = 0, frameworks: dict[int, Framework] | None = None,
                  cities: pd.DataFrame | None = None) -> LeaveOneOut:
    """Rank shifts when one component or one indicator is left out of the index (JRC audit practice).

    Leaving out a component sets its weight to 0 and renormalises the others.
    Leaving out an indicator scores its component on the remaining indicators,
    rescaled to 100 (points x 100 / (100 - the indicator's maximum)); an
    indicator alone in its component is skipped (that is leaving out the
    component). Everything else is as published: the framework's weights, the
    arithmetic mean, missing values left missing. ``shift = rank - nominal
    rank`` over the cities ranked both ways.

    Returns
    -------
    LeaveOneOut
        ``summary`` and ``cities``; see :class:`LeaveOneOut`.
    """
    data = model_data(scores, cycle=cycle, frameworks=frameworks, cities=cities)
    pieces, settings = _left_out_settings(data.framework)
    nom_rank = nominal_run(data).ranks[0]
    ranks = run_model(data, settings).ranks if pieces else np.zeros((0, data.n_cities))
    shift = ranks - nom_rank
    return LeaveOneOut(summary=_summary_table(data, pieces, nom_rank, shift),
                       cities=_cities_table(data, pieces, nom_rank, ranks, shift))


def _left_out_settings(fw: Framework) -> tuple[list[tuple[str, str, str, str]], Settings | None]:
    """The pieces that can be left out, ``(kind, id, name, component)``, and one run's settings per piece.

    A component is left out by a zero weight (the others renormalised; skipped
    when it is the only component or no weight would remain); an indicator by a
    zero factor, the other indicators of its component rescaled so the
    component is still out of 100 (skipped when it is alone in its component).
    The settings are None when nothing can be left out.
    """
    comp_ids, ind = fw.component_ids, fw.indicators.reset_index(drop=True)
    pieces = []  # (kind, id, name, component)
    w_rows, f_rows = [], []
    base = nominal_settings(fw, 1)
    if len(comp_ids) > 1:
        for k, cid in enumerate(comp_ids):
            w = base.weights[0].copy()
            w[k] = 0.0
            if w.sum() <= 0:
                continue
            w_rows.append(w / w.sum())
            f_rows.append(base.factors[0])
            pieces.append(("component", cid, str(fw.components.iloc[k]["name"]), cid))
    maxima = ind["max_score"].to_numpy(float)
    for i, row in ind.iterrows():
        members = np.flatnonzero(ind["component"].to_numpy(object) == row["component"])
        if len(members) < 2:
            continue
        f = base.factors[0].copy()
        total = maxima[members].sum()
        f[members] = total / (total - maxima[i])
        f[i] = 0.0
        w_rows.append(base.weights[0])
        f_rows.append(f)
        pieces.append(("indicator", str(row["indicator"]), str(row["name"]), str(row["component"])))
    n_pieces = len(pieces)
    if not n_pieces:
        return pieces, None
    settings = Settings(weights=np.array(w_rows), aggregation=np.zeros(n_pieces, dtype=np.int64),
                        aggregations=base.aggregations, thresholds=np.repeat(base.thresholds, n_pieces, axis=0),
                        factors=np.array(f_rows), missing=np.zeros(n_pieces, dtype=np.int64))
    return pieces, settings


def _cities_table(data: ModelData, pieces: list, nom_rank: np.ndarray, ranks: np.ndarray,
                  shift: np.ndarray) -> pd.DataFrame:
    """One row per (piece, city): :attr:`LeaveOneOut.cities`."""
    n_pieces = len(pieces)
    return pd.DataFrame({
        "cycle": data.cycle,
        "left_out_kind": np.repeat([p[0] for p in pieces], data.n_cities).astype(object),
        "left_out": np.repeat([p[1] for p in pieces], data.n_cities).astype(object),
        "city": np.tile(data.info["city"].to_numpy(object), n_pieces),
        "nominal_rank": pd.array(np.tile(nom_rank, n_pieces), dtype="Float64").astype("Int64"),
        "rank": pd.array(ranks.reshape(-1), dtype="Float64").astype("Int64"),
        "shift": pd.array(shift.reshape(-1), dtype="Float64").astype("Int64"),
    })


def _summary_table(data: ModelData, pieces: list, nom_rank: np.ndarray, shift: np.ndarray) -> pd.DataFrame:
    """One row per piece: :attr:`LeaveOneOut.summary`."""
    city_names = data.info["city"].to_numpy(object)
    rows = []
    for j, (kind, pid, name, comp) in enumerate(pieces):
        s = shift[j]
        ok = ~np.isnan(s)
        a = np.abs(s[ok])
        if a.size:
            # largest move; on a tie the better nominal rank
            cand = np.flatnonzero(ok)
            order = np.lexsort((nom_rank[cand], -np.abs(s[cand])))
            top = cand[order[0]]
            most, most_shift = city_names[top], int(s[top])
        else:
            most, most_shift = None, 0
        rows.append({"cycle": data.cycle, "left_out_kind": kind, "left_out": pid, "name": name, "component": comp,
                     "mean_abs_shift": float(a.mean()) if a.size else float("nan"),
                     "max_abs_shift": int(a.max()) if a.size else 0, "n_moved": int((a > 0).sum()),
                     "n_cities": int(a.size), "most_moved": most if a.size and a.max() > 0 else None,
                     "most_moved_shift": most_shift if a.size and a.max() > 0 else 0})
    return pd.DataFrame(rows, columns=_SUMMARY_COLUMNS)
