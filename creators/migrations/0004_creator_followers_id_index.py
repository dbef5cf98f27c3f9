"""The creators list pages by (followers, id): one composite index replaces followers' own.

Created before the single-column index is dropped, so followers is never without one.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("creators", "0003_creator_joined_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="creator",
            index=models.Index(fields=["followers", "id"], name="creator_followers_id"),
        ),
        migrations.AlterField(
            model_name="creator",
            name="followers",
            field=models.PositiveBigIntegerField(default=0),
        ),
    ]
