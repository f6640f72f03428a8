"""A member's history, paged by round: the cost of a page stays the same however long it grows.

Each list on a member's page shows the member's items in the next few rounds that have any,
newest round first. The rounds are found by walking rounds by number and probing the
member's index (qa_question_author_round, qa_answer_author_round, and for picks the unique
index on picker and round), so a page reads what it shows, not the whole history; offsets and
totals would read every earlier row.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Exists, F, OuterRef

# Rounds per page of each list: about 20 items each in a group of twelve.
ROUNDS_PER_PAGE = {"questions": 5, "picks": 10, "answers": 5}


@dataclass(frozen=True)
class Position:
    """Where a list is: rounds numbered below `before`, or above `after`; the newest if neither."""

    before: int | None = None
    after: int | None = None

    @classmethod
    def from_query(cls, query, section):
        def number(name):
            value = query.get(f"{section}_{name}", "")
            return int(value) if value.isdigit() and 0 < len(value) < 10 else None

        after = number("after")
        return cls(after=after) if after else cls(before=number("before"))

    def as_query(self, section):
        if self.after:
            return {f"{section}_after": self.after}
        return {f"{section}_before": self.before} if self.before else {}


@dataclass
class RoundPage:
    """One page of a list: its items, and the positions of the pages beside it, if any."""

    items: list
    position: Position
    newer: Position | None
    older: Position | None
    links: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


def round_page(items, rounds, position, size):
    """The page of `items` (a member's, ordered newest round first) in `rounds` at `position`.

    One query: the items of the `size` + 1 nearest rounds holding any, the extra round only
    telling whether there is a page beyond.
    """
    holding = rounds.filter(Exists(items.order_by().filter(round=OuterRef("pk"))))
    if position.after:
        nearest = holding.filter(number__gt=position.after).order_by("number")
    else:
        nearest = holding.order_by("-number")
        if position.before:
            nearest = nearest.filter(number__lt=position.before)
    rows = list(
        items.filter(round__in=nearest.values("pk")[: size + 1]).annotate(
            round_number=F("round__number")
        )
    )
    numbers = sorted({row.round_number for row in rows}, reverse=True)
    beyond = len(numbers) > size
    if beyond:  # drop the extra round: the newest one when going newer, else the oldest
        extra = numbers[-1] if not position.after else numbers[0]
        rows = [row for row in rows if row.round_number != extra]
        numbers.remove(extra)
    if position.after:
        newer = Position(after=numbers[0]) if beyond else None
        older = Position(before=numbers[-1]) if numbers else None
    else:
        newer = Position(after=numbers[0]) if position.before and numbers else None
        older = Position(before=numbers[-1]) if beyond else None
    return RoundPage(rows, position, newer, older)


def page_links(pages, anchors):
    """Each page's links to its newer and older pages, keeping the other lists where they are."""
    for section, page in pages.items():
        others = {}
        for other, other_page in pages.items():
            if other != section:
                others.update(other_page.position.as_query(other))
        for direction in ("newer", "older"):
            target = getattr(page, direction)
            if target is not None:
                query = {**others, **target.as_query(section)}
                page.links[direction] = f"?{urlencode(sorted(query.items()))}{anchors[section]}"
