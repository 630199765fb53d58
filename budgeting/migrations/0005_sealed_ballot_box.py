"""The ballot box is sealed until it is opened (docs/budgeting.md, "Ballot secrecy").

Rounds still voting or tallying keep their ballots: where ballots are not secret, each is
linked to its participation and moves into it, sealed, so it can still be changed or
withdrawn and is opened with the rest. Secret ballots were never linked to anyone: they stay
in the ballot table, counted as they are. Paper entries of those rounds are sealed too.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


from django.db.models import Count

from budgeting.sealing import BallotContent, BallotSealer, derive_key, election_label


def seal_what_is_in_the_clear(apps, schema_editor):
    Ballot = apps.get_model("budgeting", "Ballot")
    Participation = apps.get_model("budgeting", "Participation")
    PaperBallotEntry = apps.get_model("budgeting", "PaperBallotEntry")
    Project = apps.get_model("budgeting", "Project")
    open_phases = ["voting", "tallying"]
    sealer = BallotSealer(
        [derive_key(k) for k in (settings.KOPA_BALLOT_KEY, *settings.KOPA_BALLOT_KEY_FALLBACKS)]
    )
    sizes = dict(
        Project.objects.values("district_budget_id")
        .annotate(n=Count("pk"))
        .values_list("district_budget_id", "n")
    )

    def seal(district_budget, projects, points):
        return sealer.seal(
            BallotContent(
                projects=tuple(projects), points=tuple(points) if points is not None else None
            ),
            label=election_label(district_budget.round_id, district_budget.pk),
            projects_in_district=sizes.get(district_budget.pk, 0),
        )

    ballots = Ballot.objects.filter(
        participation__isnull=False,
        district_budget__round__phase__in=open_phases,
        district_budget__round__secret_ballot=False,
    ).select_related("district_budget")
    for ballot in ballots.iterator(chunk_size=1000):
        Participation.objects.filter(pk=ballot.participation_id).update(
            sealed_ballot=seal(ballot.district_budget, ballot.projects, ballot.points),
            tally_pending=True,
        )
        ballot.delete()
    entries = PaperBallotEntry.objects.filter(
        sheet__district_budget__round__phase__in=open_phases
    ).select_related("sheet__district_budget")
    for entry in entries.iterator(chunk_size=1000):
        entry.sealed_ballot = seal(entry.sheet.district_budget, entry.projects, entry.points)
        entry.save(update_fields=["sealed_ballot"])


class Migration(migrations.Migration):

    dependencies = [
        ('budgeting', '0004_live_counter_logs'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='LiveTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('ballots', models.PositiveIntegerField(default=0)),
                ('support', models.JSONField(default=dict, help_text='Support per project primary key.')),
                ('batches', models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name='WithdrawnBallot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sealed_ballot', models.BinaryField()),
            ],
        ),
        migrations.RemoveField(
            model_name='ballotchange',
            name='district_budget',
        ),
        migrations.AddField(
            model_name='paperballotentry',
            name='sealed_ballot',
            field=models.BinaryField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='participation',
            name='sealed_ballot',
            field=models.BinaryField(blank=True, help_text='What was voted, sealed, until the ballot box is opened.', null=True),
        ),
        migrations.AddField(
            model_name='participation',
            name='tallied_ballot',
            field=models.BinaryField(blank=True, help_text='The sealed ballot as the live vote counts last included it.', null=True),
        ),
        migrations.AddField(
            model_name='participation',
            name='tally_pending',
            field=models.BooleanField(default=False, help_text='Cast or changed since the live vote counts last moved.'),
        ),
        migrations.AlterField(
            model_name='participation',
            name='ballot_seal',
            field=models.CharField(blank=True, help_text="A keyed hash of the voter's receipt code: only the code's holder can check, change or withdraw the ballot, and the code cannot be read back from it. Empty for paper.", max_length=64),
        ),
        migrations.AddIndex(
            model_name='participation',
            index=models.Index(condition=models.Q(('tally_pending', True)), fields=['district_budget'], name='participation_tally_pending'),
        ),
        migrations.AddConstraint(
            model_name='participation',
            constraint=models.UniqueConstraint(condition=models.Q(('ballot_seal', ''), _negated=True), fields=('ballot_seal',), name='one_ballot_per_receipt'),
        ),
        migrations.AddField(
            model_name='livetally',
            name='district_budget',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='live_tally', to='budgeting.districtbudget'),
        ),
        migrations.AddField(
            model_name='withdrawnballot',
            name='district_budget',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='budgeting.districtbudget'),
        ),
        migrations.DeleteModel(
            name='BallotChange',
        ),
        migrations.RunPython(seal_what_is_in_the_clear, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='ballot',
            name='receipt_hash',
        ),
        migrations.RemoveField(
            model_name='paperballotentry',
            name='points',
        ),
        migrations.RemoveField(
            model_name='paperballotentry',
            name='projects',
        ),
    ]
