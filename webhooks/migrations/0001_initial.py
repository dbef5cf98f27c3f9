# The webhook tables were created by tenancy/0002; this app takes them over (state only) and
# 0002 gives them this app's table names.

import django.core.serializers.json
import django.db.models.deletion
import django.db.models.manager
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('tenancy', '0002_webhooks'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
            migrations.CreateModel(
                name='WebhookEndpoint',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('url', models.URLField(max_length=500)),
                    ('events', models.JSONField(default=list)),
                    ('secret', models.CharField(max_length=80)),
                    ('is_active', models.BooleanField(default=True)),
                    ('consecutive_failures', models.PositiveIntegerField(default=0)),
                    ('disabled_at', models.DateTimeField(blank=True, null=True)),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.organization')),
                ],
                options={
                    'db_table': 'tenancy_webhookendpoint',
                    'ordering': ['-id'],
                    'abstract': False,
                    'default_manager_name': 'internal',
                },
                managers=[
                    ('internal', django.db.models.manager.Manager()),
                ],
            ),
            migrations.CreateModel(
                name='WebhookDelivery',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('event', models.CharField(max_length=64)),
                    ('payload', models.JSONField(encoder=django.core.serializers.json.DjangoJSONEncoder)),
                    ('event_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                    ('status', models.CharField(choices=[('pending', 'Pending'), ('succeeded', 'Succeeded'), ('failed', 'Failed, will retry'), ('abandoned', 'Abandoned')], default='pending', max_length=16)),
                    ('attempts', models.PositiveSmallIntegerField(default=0)),
                    ('last_status_code', models.PositiveSmallIntegerField(blank=True, null=True)),
                    ('last_error', models.CharField(blank=True, max_length=200)),
                    ('next_attempt_at', models.DateTimeField(blank=True, null=True)),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('delivered_at', models.DateTimeField(blank=True, null=True)),
                    ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.organization')),
                    ('endpoint', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='webhooks.webhookendpoint')),
                ],
                options={
                    'verbose_name_plural': 'webhook deliveries',
                    'db_table': 'tenancy_webhookdelivery',
                    'ordering': ['-id'],
                    'abstract': False,
                    'default_manager_name': 'internal',
                },
                managers=[
                    ('internal', django.db.models.manager.Manager()),
                ],
            ),
            migrations.AddIndex(
                model_name='webhookendpoint',
                index=models.Index(fields=['organization', 'is_active'], name='tenancy_web_organiz_49f580_idx'),
            ),
            migrations.AddIndex(
                model_name='webhookdelivery',
                index=models.Index(fields=['endpoint', '-id'], name='tenancy_web_endpoin_3738c1_idx'),
            ),
            migrations.AddIndex(
                model_name='webhookdelivery',
                index=models.Index(fields=['status', 'next_attempt_at'], name='tenancy_web_status_deaab6_idx'),
            ),
            migrations.AddConstraint(
                model_name='webhookdelivery',
                constraint=models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'succeeded', 'failed', 'abandoned'])), name='webhook_delivery_status_valid'),
            ),
            ],
        ),
    ]
