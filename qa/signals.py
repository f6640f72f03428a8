"""Every change to what a board shows counts in its round's revision (Round.revision).

Signals, not save() overrides, so that admin deletions, cascades and restores count too.
Code that writes with QuerySet.update() or bulk_create() into an existing round must call
Round.objects.filter(...).touch() itself, as Question.move() does.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Answer, Member, Pick, Question, Round


@receiver([post_save, post_delete], sender=Question)
@receiver([post_save, post_delete], sender=Pick)
def count_question_or_pick(sender, instance, **kwargs):
    Round.objects.filter(pk=instance.round_id).touch()


@receiver([post_save, post_delete], sender=Answer)
def count_answer(sender, instance, **kwargs):
    Round.objects.filter(questions__pk=instance.question_id).touch()


@receiver(post_save, sender=Member)
def count_rename(sender, instance, created, update_fields=None, **kwargs):
    # Names show on every board; linking an account (update_fields={"user"}) shows nowhere.
    if created or (update_fields is not None and "name" not in update_fields):
        return
    # Every round it may appear in, as author, picker or answerer: renames are rare.
    Round.objects.touch()
