# Joins the two branches made in parallel: processes/ideas/moderation (0002) and
# notifications (0003). No operations.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('engagement', '0002_processes_ideas_moderation'),
        ('engagement', '0003_notifications'),
    ]

    operations = []
