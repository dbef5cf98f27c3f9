# The webhook tables moved to the webhooks app (webhooks/0001): tenancy forgets them, the
# tables stay where they are.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('tenancy', '0002_webhooks'),
        ('webhooks', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
            migrations.RemoveField(
                model_name='webhookendpoint',
                name='organization',
            ),
            migrations.DeleteModel(
                name='WebhookDelivery',
            ),
            migrations.DeleteModel(
                name='WebhookEndpoint',
            ),
            ],
        ),
    ]
