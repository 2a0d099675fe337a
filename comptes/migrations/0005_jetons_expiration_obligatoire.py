from django.db import migrations, models


class Migration(migrations.Migration):
    # Apart from 0004: on PostgreSQL, altering a table whose rows the same transaction
    # updated can fail with "pending trigger events".
    dependencies = [("comptes", "0004_jetons_portee_expiration")]

    operations = [
        migrations.AlterField(
            model_name="jetonacces",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expire le"),
        ),
    ]
