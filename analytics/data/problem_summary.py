"""Problems of an upload summarised per column: what to fix first, before the cell list.

A file of 80 patients whose follow-up is written as dates has 80 problems, one per cell;
shown as a list, the one fix they share ("give months since the first infusion") is lost.
:func:`summarise` groups the problems by file, column and rule, in the order the first of
each appears, and says which group is a column of dates (months can be derived from dates
in the mapping step when the file has a first-infusion date).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from analytics.data.schema import Problem

# The rule texts whose cells are dates where months are expected.
_DATE_RULE = "must be a number of {unit}, not a date"
MAX_ROWS_SHOWN = 5


@dataclass(frozen=True)
class ProblemGroup:
    """Problems of one file and column that break the same rule."""

    file: str
    column: str | None
    rule: str  # the first problem's rule (its values, when the rule has any)
    rows: tuple[int, ...]  # spreadsheet rows, as found (file-level problems have none)
    count: int
    dates: bool  # cells that are dates where months are expected
    first: Problem  # the group's first problem (a group of one is shown as it)

    @property
    def shown_rows(self) -> tuple[int, ...]:
        return self.rows[:MAX_ROWS_SHOWN]


def _rule_key(rule: str) -> str:
    # A Message's template, without the values that differ from cell to cell.
    return str(getattr(rule, "msgid", rule))


def summarise(problems: Iterable[Problem]) -> list[ProblemGroup]:
    """One group per (file, column, rule template), in order of first appearance."""
    groups: dict[tuple[str, str | None, str], list[Problem]] = {}
    for problem in problems:
        groups.setdefault((problem.file, problem.column, _rule_key(problem.rule)), []).append(
            problem
        )
    return [
        ProblemGroup(
            file=file,
            column=column,
            rule=members[0].rule,
            rows=tuple(p.row for p in members if p.row is not None),
            count=len(members),
            dates=key == _DATE_RULE,
            first=members[0],
        )
        for (file, column, key), members in groups.items()
    ]
