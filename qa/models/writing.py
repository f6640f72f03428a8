"""The one write path for what is stored beside what people write.

A saved question or answer is kept five ways: its Markdown, the sanitized HTML, the plain
search text, its search entry and, for an answer, its question's round; a pick keeps its
question's round and author. Every write also counts in its round's revision, which versions
the cached pages (qa.models.rounds). For each model, `derive()` computes a row's stored values
and `written()` does what follows a write. save(), the bulk insert `objects.add()` and the
`rebuild_derived` command (`objects.refresh()`) all go through them, so no caller can leave a
step out.
"""

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.text import normalize_newlines

from ..markdown import plain_text, render_markdown
from ..text import without_control_characters
from .members import Member
from .rounds import Round
from .search_entries import SearchEntry


def earlier_round(row):
    """The round a row had before the save in progress; None for a new row."""
    if row._state.adding:
        return None
    rows = type(row)._base_manager.filter(pk=row.pk)
    return rows.values_list("round_id", flat=True).first()


def touch_rounds(rows, earlier_rounds=()):
    """Count a change on the boards of `rows` and of the rounds they have left, and in the
    "new for you" of the members whose list may show them."""
    rounds = {row.round_id for row in rows} | set(earlier_rounds)
    rounds.discard(None)
    if rounds:
        Round.objects.filter(pk__in=rounds).touch()
    for model in {type(row) for row in rows}:
        readers = model.news_readers([row for row in rows if type(row) is model])
        if readers is not None:
            Member.objects.filter(readers).touch_news()


def move_round(round_, state, now):
    """Move a round on to `state` if it is still in the state it was read in, counted on its
    board like any write (advance_rounds). Whether it moved."""
    rounds = Round.objects.filter(pk=round_.pk, state=round_.state)
    return bool(rounds.update(state=state, updated=now, revision=F("revision") + 1))


class Derived:
    """A model with stored values that follow from its other fields and relations."""

    # Attribute names of the values derive() fills, and of values that change with them.
    derived_fields = ()
    saved_with = ()

    def derive(self):
        raise NotImplementedError

    @classmethod
    def news_readers(cls, rows):
        """The members whose "new for you" may show `rows`, as a condition on members; None
        for nobody's (Member.new_for_you())."""
        return None

    @classmethod
    def written(cls, rows, earlier_rounds=()):
        """After saving `rows`: count the change on their boards."""
        touch_rounds(rows, earlier_rounds)

    @classmethod
    def stale_elsewhere(cls, rows):
        """Those of saved `rows` whose derived data kept outside the row is stale."""
        return []

    def save(self, *args, **kwargs):
        self.derive()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *self.derived_fields, *self.saved_with}
        with transaction.atomic():
            earlier = earlier_round(self)
            self.save_derived(*args, **kwargs)
            self.written([self], [earlier])
            if earlier not in (None, self.round_id):
                self.moved()

    def save_derived(self, *args, **kwargs):
        """The save itself, in save()'s transaction, after derive()."""
        super().save(*args, **kwargs)

    def moved(self):
        """Called when a save has moved this row to another round."""


def written_markdown(text):
    """Markdown as it is stored, and its sanitized HTML."""
    # Browsers send a text box's line breaks as CRLF; stored and exported text is LF.
    text = without_control_characters(normalize_newlines(text))
    return text, render_markdown(text)


class WrittenText(Derived):
    """A model with Markdown in `markdown_field`, its HTML in `html_field`, and search_text."""

    markdown_field = html_field = None
    # Values copied from related rows, which derive() fills too.
    copied_fields = ()
    saved_with = ("updated",)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.derived_fields = (cls.markdown_field, cls.html_field, "search_text", *cls.copied_fields)

    def derive(self):
        text, html = written_markdown(getattr(self, self.markdown_field))
        setattr(self, self.markdown_field, text)
        setattr(self, self.html_field, html)
        self.search_text = plain_text(html)

    @classmethod
    def written(cls, rows, earlier_rounds=()):
        SearchEntry.objects.index(rows)
        touch_rounds(rows, earlier_rounds)

    @classmethod
    def stale_elsewhere(cls, rows):
        return SearchEntry.objects.stale(rows)


class DerivedQuerySet(QuerySet):
    def add(self, rows, batch_size=500):
        """Insert new rows with everything save() would store beside them, in bulk."""
        for row in rows:
            row.derive()
        with transaction.atomic():
            self.bulk_create(rows, batch_size=batch_size)
            self.model.written(rows)
        return rows

    def refresh(self, rows, dry_run=False):
        """Derive saved `rows` again and store whatever differs from what is stored.

        Returns {row: [names of the stale values]}; `dry_run` only compares. Running it twice
        changes nothing the second time.
        """
        fields = list(self.model.derived_fields)
        stale, earlier_rounds = {}, set()
        for row in rows:
            before = [getattr(row, field) for field in fields]
            row.derive()
            after = [getattr(row, field) for field in fields]
            names = [field for field, old, new in zip(fields, before, after) if old != new]
            if names:
                stale[row] = names
                if "round_id" in names:
                    earlier_rounds.add(before[fields.index("round_id")])
        changed = list(stale)
        for row in self.model.stale_elsewhere(rows):
            stale.setdefault(row, []).append("search entry")
        if stale and not dry_run:
            with transaction.atomic():
                if changed:
                    self.bulk_update(changed, fields, batch_size=500)
                self.model.written(list(stale), earlier_rounds)
        return stale
