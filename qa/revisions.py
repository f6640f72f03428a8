"""Every change to what a board shows counts in its round's revision (Round.revision).

Saves count through the write path (qa.models.writing). Deletions count here, as signals,
so that admin deletions and cascades count too; so do members' renames, which show on every
board.
"""

from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from .models import Answer, FollowUp, Member, Pick, Question, Round
from .models.writing import touch_rounds


@receiver(post_delete, sender=Question)
@receiver(post_delete, sender=Pick)
@receiver(post_delete, sender=Answer)
@receiver(post_delete, sender=FollowUp)
def count_deletion(sender, instance, **kwargs):
    touch_rounds([instance])


@receiver(post_delete, sender=FollowUp)
def count_lost_origin(sender, instance, **kwargs):
    # The question it was promoted to says where it came from.
    if instance.promoted_to_id is not None:
        Round.objects.filter(questions=instance.promoted_to_id).touch()


@receiver(pre_delete, sender=Question)
def count_lost_promotion(sender, instance, **kwargs):
    # Follow-ups promoted to it link to it, and may be promoted again once it is gone
    # (SET_NULL, which sends no signal of its own).
    rounds = FollowUp.objects.filter(promoted_to=instance).values("round_id")
    Round.objects.filter(pk__in=rounds).touch()


@receiver(post_save, sender=Member)
def count_rename(sender, instance, created, update_fields=None, **kwargs):
    # Names show on every board; linking an account (update_fields={"user"}) shows nowhere.
    if created or (update_fields is not None and "name" not in update_fields):
        return
    # Every round it may appear in, as author, picker or answerer, and every "new for you"
    # (which names who wrote each item): renames are rare.
    Round.objects.touch()
    Member.objects.touch_news()


@receiver(pre_delete, sender=Member)
def count_reactions_leaving(sender, instance, **kwargs):
    # A member's reactions go with them, in a cascade that sends no signal: their answers'
    # counts change on those boards. (Taking one back counts in Answer.set_reaction().)
    Round.objects.filter(answers__reactions__member=instance).touch()
