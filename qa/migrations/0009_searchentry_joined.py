# Korean spacing stops mattering to search: terms are compared with `joined`, the folded text
# without the spaces beside Korean letters, and the grams become that copy's (so 로드밸런싱 finds
# 로드 밸런싱이). The existing entries are derived again here, so that search finds spacing
# variants as soon as the release serves; rebuild_derived would also repair them.

import re

from django.db import migrations, models

BATCH = 500

# Frozen copies of qa.models.search_entries' functions as they were when this migration was
# written: a migration must fill the same values however the live code changes later
# (`rebuild_derived` brings them up to date).
HANGUL = "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff"


def joined(folded):
    return re.sub(f"(?<=[{HANGUL}]) | (?=[{HANGUL}])", "", folded)


def text_grams(folded):
    pieces = set(folded)
    pieces.update(map("".join, zip(folded, folded[1:])))
    return " ".join(sorted(piece for piece in pieces if " " not in piece))


def fill_joined(apps, schema_editor):
    SearchEntry = apps.get_model("qa", "SearchEntry")
    last = 0
    entries = SearchEntry.objects.order_by("id").only("text")
    while batch := list(entries.filter(id__gt=last)[:BATCH]):
        last = batch[-1].id
        for entry in batch:
            entry.joined = joined(entry.text)
            entry.grams = text_grams(entry.joined)
        SearchEntry.objects.bulk_update(batch, ["joined", "grams"])


class Migration(migrations.Migration):
    dependencies = [
        ("qa", "0008_search_entries"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="joined",
            field=models.TextField(db_default=""),
        ),
        migrations.RunPython(fill_joined, migrations.RunPython.noop, elidable=True),
    ]
