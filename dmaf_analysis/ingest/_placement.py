"""The placement of score tokens on indicators: a search over every placement that the
component, maximum and order rules allow, keeping the best ones (see the package docstring).

:func:`place` is the one entry point; the search itself is :class:`_Placement`. The
search is depth-first but not recursive (an explicit stack of generators, one per
token), so a card with thousands of score tokens cannot exhaust Python's recursion
limit; it visits at most ``_SEARCH_LIMIT`` nodes, and a text with far more score
tokens than the framework has indicators is refused before searching.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import ReportCardError
from ._scan import EPS, CardLayout, Token

__all__ = ["PlacementOutcome", "place"]

_SEARCH_LIMIT = 500_000  # nodes visited by the placement search before giving up
_TOKENS_PER_INDICATOR = 3  # more score tokens than this many per indicator: not one card


@dataclass(frozen=True)
class PlacementOutcome:
    """The best placements of the tokens.

    ``chosen[t]`` is the indicator position of token ``t`` in the first best
    placement (the earliest in framework order), ``None`` when dropped;
    ``values[i]`` the set of values indicator ``i`` takes over all best placements
    (``None`` for none); ``token_sets[t]`` the set of indicators token ``t`` takes.
    """

    chosen: list[int | None]
    values: list[set]
    token_sets: list[set]

    @property
    def token_at(self) -> dict[int, int]:
        """Indicator position -> token, in the first best placement."""
        return {ind: t for t, ind in enumerate(self.chosen) if ind is not None}


def place(tokens: list[Token], layout: CardLayout, totals: dict[int, float], name: str) -> PlacementOutcome:
    """Place ``tokens`` on the indicators of ``layout``; an error when the search is too large."""
    most = max(50, _TOKENS_PER_INDICATOR * len(layout.ind_ids))
    if len(tokens) > most:
        raise ReportCardError(f"{name}: {len(tokens)} scores for the {len(layout.ind_ids)} indicators of one "
                              f"card (at most {most} are expected); is this several report cards in one "
                              "file? Give each card its own file")
    class_of = [layout.class_of(i) for i in range(len(layout.ind_ids))]
    search = _Placement(tokens, layout.ind_comp, class_of, totals, len(layout.comp_ids))
    try:
        search.run()
    except _TooComplex:
        raise ReportCardError(f"{name}: too many ways to place the {len(tokens)} scores; "
                              "the text is too damaged to read") from None
    return PlacementOutcome(chosen=search.best_first or [],
                            values=search.values or [set() for _ in layout.ind_ids],
                            token_sets=search.token_sets)


class _Placement:
    """Search of every placement of the tokens allowed by components, maxima and order."""

    def __init__(self, tokens: list[Token], ind_comp: list[int],
                 class_of: list[tuple[int, float]], totals: dict[int, float], n_comp: int):
        self.tokens = tokens
        self.ind_comp = ind_comp
        self.class_of = class_of
        self.totals = totals
        self.comp_size = [ind_comp.count(c) for c in range(n_comp)]
        self.best_key: tuple | None = None
        self.best_first: list | None = None
        self.values: list[set] = []
        self.token_sets: list[set] = []
        self.nodes = 0

    def run(self) -> None:
        n = len(self.tokens)
        chosen, used, last_in_class = [None] * n, {}, {}
        # Depth-first, in the order a recursive search would take, with an explicit
        # stack: each _search generator yields the arguments of its next child.
        stack = [self._search(0, 0, chosen, used, last_in_class, 0, 0)]
        while stack:
            try:
                child = next(stack[-1])
            except StopIteration:
                stack.pop()
                continue
            stack.append(self._search(child[0], child[1], chosen, used, last_in_class, child[2], child[3]))

    def _search(self, i, comp_floor, chosen, used, last_in_class, drops, anchors):
        """One node of the search; yields ``(i, comp_floor, drops, anchors)`` of each child in turn."""
        self.nodes += 1
        if self.nodes > _SEARCH_LIMIT:
            raise _TooComplex()
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
                # a token on the indicator whose heading it sits by is outside the order rule
                yield (i + 1, comp, drops, anchors + 1)
            else:
                cls = self.class_of[ind]
                prev = last_in_class.get(cls)
                if prev is None or prev < ind:
                    last_in_class[cls] = ind
                    yield (i + 1, comp, drops, anchors)
                    if prev is None:
                        del last_in_class[cls]
                    else:
                        last_in_class[cls] = prev
            del used[ind]
        chosen[i] = None
        yield (i + 1, comp_floor, drops + 1, anchors)

    def _totals(self, used) -> tuple[int, int]:
        """Printed totals contradicted, and printed totals confirmed, by a placement."""
        broken = confirmed = 0
        for comp, total in self.totals.items():
            placed = [ind for ind in used if self.ind_comp[ind] == comp]
            s = sum(self.tokens[used[ind]].event.value for ind in placed)
            if len(placed) == self.comp_size[comp]:
                ok = abs(s - total) <= EPS
                broken += not ok
                confirmed += ok
            else:
                broken += s > total + EPS
        return broken, confirmed

    def _leaf(self, chosen, used, drops, anchors):
        broken, confirmed = self._totals(used)
        key = (drops, broken, -anchors, -confirmed)
        if self.best_key is None or key < self.best_key:
            self.best_key = key
            self.best_first = list(chosen)     # the search runs in order: first = earliest
            self.values = [set() for _ in self.ind_comp]
            self.token_sets = [set() for _ in self.tokens]
        if key != self.best_key:
            return
        for ind in range(len(self.ind_comp)):
            t = used.get(ind)
            self.values[ind].add(None if t is None else self.tokens[t].event.value)
        for t, ind in enumerate(chosen):
            self.token_sets[t].add(ind)


class _TooComplex(Exception):
    pass
