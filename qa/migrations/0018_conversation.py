import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('qa', '0017_member_history_index'),
    ]

    operations = [
        # Rounds that exist already keep showing every answer; new rounds hide them.
        migrations.AddField(
            model_name='round',
            name='blind_answers',
            field=models.BooleanField(default=False),
        ),
        migrations.AlterField(
            model_name='round',
            name='blind_answers',
            field=models.BooleanField(default=True, help_text="While the round takes answers, members see others' answers to a question only after posting their own; the question's author and curators see them all. Everything shows once the round closes.", verbose_name='blind answering'),
        ),
        migrations.CreateModel(
            name='FollowUp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('body', models.TextField(validators=[django.core.validators.MaxLengthValidator(5000, message='A follow-up can be at most %(limit_value)d characters long (it has %(show_value)d).')], verbose_name='follow-up (Markdown)')),
                ('body_html', models.TextField(default='', editable=False)),
                ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('answer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='follow_ups', to='qa.answer', verbose_name='answer')),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='follow_ups', to='qa.member', verbose_name='author')),
                ('promoted_to', models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='promoted_from', to='qa.question', verbose_name='promoted to')),
                ('round', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='follow_ups', to='qa.round')),
            ],
            options={
                'verbose_name': 'follow-up question',
                'verbose_name_plural': 'follow-up questions',
                'ordering': ['created', 'pk'],
                'indexes': [models.Index(fields=['answer', 'created'], name='qa_followup_answer_created')],
                'constraints': [models.CheckConstraint(condition=models.Q(('body', ''), _negated=True), name='qa_followup_body_not_blank')],
            },
        ),
        migrations.CreateModel(
            name='Reaction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('thanks', '👍'), ('insight', '💡'), ('unclear', '❓')], max_length=10, verbose_name='reaction')),
                ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('answer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reactions', to='qa.answer', verbose_name='answer')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reactions', to='qa.member', verbose_name='member')),
            ],
            options={
                'verbose_name': 'reaction',
                'verbose_name_plural': 'reactions',
                'ordering': ['answer', 'kind', 'created'],
                'constraints': [models.UniqueConstraint(fields=('answer', 'member', 'kind'), name='qa_reaction_unique_member_kind'), models.CheckConstraint(condition=models.Q(('kind__in', ['thanks', 'insight', 'unclear'])), name='qa_reaction_kind_valid')],
            },
        ),
    ]
