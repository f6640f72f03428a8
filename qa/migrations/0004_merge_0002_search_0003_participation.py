# Search (0002) and participation (0003) were written side by side from 0001 and touch
# different fields; this joins the two branches so the graph has one leaf again.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("qa", "0002_search"),
        ("qa", "0003_participation"),
    ]

    operations = []
