import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The models moved from campaigns (campaigns 0002 created their tables, campaigns 0004 let go of them):
    state only, on the existing tables."""

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('campaigns', '0004_single_emails_move_to_emails'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SingleEmail',
                    fields=[
                        ('message', models.OneToOneField(
                            db_constraint=False, on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                            related_name='single', serialize=False, to='campaigns.message')),
                        ('subject', models.CharField(max_length=500)),
                        ('from_name', models.CharField(blank=True, default='', max_length=200)),
                        ('from_email', models.CharField(max_length=254)),
                        ('reply_to', models.CharField(blank=True, default='', max_length=254)),
                        ('html', models.TextField(blank=True, default='')),
                        ('text', models.TextField(blank=True, default='')),
                        ('values', models.JSONField(default=dict)),
                        ('compiled', models.JSONField()),
                        ('links', models.JSONField(default=list)),
                    ],
                    options={
                        'db_table': 'campaigns_singleemail',
                    },
                ),
                migrations.CreateModel(
                    name='IdempotencyKey',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name='ID')),
                        ('key', models.CharField(max_length=255)),
                        ('payload_hash', models.CharField(max_length=64)),
                        ('status_code', models.PositiveSmallIntegerField()),
                        ('body', models.JSONField()),
                        ('headers', models.JSONField(default=dict)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('account', models.ForeignKey(
                            db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+',
                            to='accounts.account')),
                    ],
                    options={
                        'db_table': 'campaigns_idempotencykey',
                        'constraints': [
                            models.UniqueConstraint(fields=('account', 'key'), name='idempotency_key_unique'),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
