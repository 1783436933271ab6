"""Read DMAF report cards (PDF or extracted text) into the long score table.

A report card is one city's assessment for one cycle. Its extracted text is out of
order: a score token such as ``Score: 10/30`` does not always follow the heading of
its indicator, some scores were images and are absent, and component totals appear
as ``Score N 100``. Neither nearness to a heading nor the order of the tokens
explains the text on its own, so a placement is built from four pieces of evidence:

1. **Component.** A token lies between two indicator headings. When both belong to
   the same component, so does the token; in the gap between two components it may
   belong to either, and a printed component total (which opens its component)
   splits the gap. Tokens never interleave across components: read top to bottom,
   the component of the tokens never goes back.
2. **Maximum.** A token out of M can only belong to an indicator whose maximum is
   M. A token above its maximum, or whose maximum fits no indicator it could
   belong to, is dropped and reported.
3. **Heading.** A token *sits by* a heading when it is the first score after that
   heading, has that indicator's maximum, and no other score of that maximum
   follows it before the next heading or printed component total. Such a token
   placed on that indicator is direct evidence and is exempt from rule 4. (In the
   real card the Policy scores 30, 40, 30 all follow the 1.c&d heading, in
   framework order: the first of a run like that is not taken as 1.c&d's.)
4. **Order.** Within one component, the tokens that do not sit on their own
   heading's indicator keep the framework order of the indicators, among those
   that share their maximum and are not taken by a token sitting by its heading
   (this is the reading that explains the Outcomes block of the one real card:
   there the 0/20, the 15/20 and the second 0/30 are none of them the first score
   below a heading of their maximum).

Among the placements allowed by 1, 2 and 4, the search keeps those that drop the
fewest tokens, then contradict the fewest printed component totals, then keep the
most tokens on the indicators whose headings they sit by, then confirm the most
printed totals (every indicator of the component placed and the sum equal to the
total). So a score directly below its own heading stays there unless that would
cost a token or contradict a printed total, and the order rule only arranges the
scores that are left.

If more than one placement is still possible, the scores they disagree on are
*ambiguous*. With ``ambiguous="order"`` (the default) the placement that gives
every token the earliest indicator in framework order is used, those scores are
marked ``placed_by="order"`` and each is reported with its candidates; with
``ambiguous="missing"`` they are left empty and reported.

``placed_by`` is ``heading`` when the score sits by its indicator's heading, when
its maximum occurs only once in the component, or when the printed component total
leaves no choice (0, or the sum of the maxima); otherwise it is ``order``.

Every placement problem is a :class:`IngestProblem` naming the file, the component
and the candidate indicators. A text that ends below its last indicator heading
with no score after it gets a warning (it may be cut short, or the last score may
have been an image; the text cannot tell these apart, so the card is still read).
A file that cannot be read at all (empty, not a report card, missing headings,
unreadable) raises a :class:`ReportCardError`;
:func:`ingest` turns that into an error-level problem and carries on with the
other files.

Modules, in the order a card goes through them: ``files`` (finding files,
extracting text), ``scan`` (header, events, printed totals, anchors, candidates),
``placement`` (the search), ``parse`` (:func:`parse_report_card`: the steps in
order and the checks), ``reader`` (:func:`read_report_card`, :func:`ingest`) and
``model`` (:class:`ReportCard`, :class:`IngestProblem`, :class:`IngestResult`).
"""
from __future__ import annotations

from ._files import extract_text, find_report_files
from ._model import (AMBIGUOUS_POLICIES, IngestProblem, IngestResult, problems_frame, REPORT_SUFFIXES, ReportCard,
                     SCORE_COLUMNS)
from ._parse import parse_report_card
from ._reader import ingest, read_report_card

__all__ = [
    "AMBIGUOUS_POLICIES", "extract_text", "find_report_files", "ingest", "IngestProblem", "IngestResult",
    "parse_report_card", "problems_frame", "read_report_card", "REPORT_SUFFIXES", "ReportCard", "SCORE_COLUMNS"
]
