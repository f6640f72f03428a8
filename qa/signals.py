"""Every change to what a board shows counts in its round's revision (Round.revision).

Signals, not save() overrides, so that admin deletions, cascades and restores count too.
Code that writes with QuerySet.update() or bulk_create() into an existing round must call
Round.objects.filter(...).touch() itself, as Question.move() does.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .models import Answer, Member, Pick, Question, Round


@receiver(pre_save, sender=Question)
@receiver(pre_save, sender=Pick)
@receiver(pre_save, sender=Answer)
def remember_round(sender, instance, **kwargs):
    # The admin can move a question or an answer to another round: the board it leaves
    # changes too.
    instance._round_before = (
        sender.objects.filter(pk=instance.pk).values_list("round_id", flat=True).first()
        if instance.pk
        else None
    )


@receiver([post_save, post_delete], sender=Question)
@receiver([post_save, post_delete], sender=Pick)
@receiver([post_save, post_delete], sender=Answer)
def count_change(sender, instance, **kwargs):
    rounds = {instance.round_id, getattr(instance, "_round_before", None)} - {None}
    Round.objects.filter(pk__in=rounds).touch()


@receiver(post_save, sender=Member)
def count_rename(sender, instance, created, update_fields=None, **kwargs):
    # Names show on every board; linking an account (update_fields={"user"}) shows nowhere.
    if created or (update_fields is not None and "name" not in update_fields):
        return
    # Every round it may appear in, as author, picker or answerer: renames are rare.
    Round.objects.touch()
