"""The per-cycle context is shared by equal data sets and never by different ones."""
from dataclasses import replace

from dmaf_analysis import card
from dmaf_analysis.card._context import cycle_context
from dmaf_analysis.scoring import load_dataset


def test_fresh_copies_of_a_panel_share_one_context():
    first, second = load_dataset(), load_dataset()
    cycle = first.cycles[-1]
    assert cycle_context(first, cycle) is cycle_context(second, cycle)


def test_a_data_set_with_one_value_changed_gets_its_own_context_and_card():
    data = load_dataset()
    cycle = data.cycles[-1]
    city = "Surat"
    before = card.component_comparison(data, city=city, cycle=cycle)
    changed = load_dataset()
    comp = changed.frameworks[cycle].component_ids[0]
    rows = (changed.scored["cycle"] == cycle) & (changed.scored["city"] == city)
    changed = replace(changed, scored=changed.scored.assign(
        **{comp: changed.scored[comp].mask(rows, changed.scored[comp] + 1.5)}))
    assert cycle_context(changed, cycle) is not cycle_context(data, cycle)
    after = card.component_comparison(changed, city=city, cycle=cycle)
    delta = (after.set_index("component")["score"] - before.set_index("component")["score"]).dropna()
    assert delta.loc[comp] == 1.5
    assert (delta.drop(comp) == 0).all()


def test_a_context_is_not_changed_by_a_card_of_another_city():
    data = load_dataset()
    cycle = data.cycles[-1]
    ctx = cycle_context(data, cycle)
    snapshot = ctx.wide.copy(), ctx.scored.copy(), ctx.bounds.copy()
    for city in ("Ludhiana", "Kohima", "Pune"):
        card.peer_comparison(load_dataset(), city=city, cycle=cycle)
        card.component_comparison(load_dataset(), city=city, cycle=cycle)
        card.path_to_next_level(load_dataset(), city=city, cycle=cycle)
    assert ctx.wide.equals(snapshot[0]) and ctx.scored.equals(snapshot[1]) and ctx.bounds.equals(snapshot[2])
