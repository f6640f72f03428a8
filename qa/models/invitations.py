"""Invitations: the links curators paste into the group chat so that members can join."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .members import Member

# 32 random bytes: 256 bits, far past guessing even without the rate limit on tries.
TOKEN_BYTES = 32


def token_digest(token):
    """What is stored of a token: the link itself is shown once and never kept or logged."""
    return hashlib.sha256(token.encode()).hexdigest()


def default_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_DAYS)


class InvitationRefused(Exception):
    """An invitation that cannot be used (any more); `reason` is one of Invitation.REASONS."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class InvitationQuerySet(models.QuerySet):
    def with_uses(self):
        return self.select_related("member", "created_by").annotate(use_count=Count("uses"))

    def find(self, token):
        """The invitation a link's token names, or None; the comparison takes the same time
        wherever the digests differ."""
        digest = token_digest(token)
        invitation = self.filter(token_digest=digest).first()
        if invitation is None or not hmac.compare_digest(invitation.token_digest, digest):
            return None
        return invitation

    def usable(self):
        return self.filter(revoked__isnull=True, expires__gt=timezone.now())


class Invitation(models.Model):
    EXPIRED, REVOKED, USED_UP, CLAIMED = "expired", "revoked", "used-up", "claimed"

    token_digest = models.CharField(max_length=64, editable=False)
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        help_text=_(
            "The member without an account who joins with this link; empty for a new member."
        ),
    )
    max_uses = models.PositiveSmallIntegerField(
        _("uses"),
        default=1,
        help_text=_("How many people may join with this link; one for a named member."),
    )
    expires = models.DateTimeField(_("expires"), default=default_expiry)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["token_digest"], name="qa_invitation_unique_token"),
            models.CheckConstraint(
                condition=Q(max_uses__gte=1), name="qa_invitation_max_uses_positive"
            ),
            # A member is claimed by one account.
            models.CheckConstraint(
                condition=Q(member__isnull=True) | Q(max_uses=1),
                name="qa_invitation_member_once",
            ),
        ]

    def __str__(self):
        if self.member_id:
            return _("Invitation for %(name)s") % {"name": self.member.name}
        return _("Open invitation #%(number)d") % {"number": self.pk or 0}

    def get_absolute_url(self):
        return reverse("qa:invitation-detail", kwargs={"pk": self.pk})

    def new_token(self):
        """A fresh random token for this invitation (before it is saved): the link's only copy."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        self.token_digest = token_digest(token)
        return token

    @staticmethod
    def link_path(token):
        return reverse("qa:invitation-accept", kwargs={"token": token})

    @classmethod
    def create(cls, *, created_by, member=None, max_uses=1, expires=None):
        """A saved invitation and its token (shown once, to the curator who made it)."""
        invitation = cls(created_by=created_by, member=member, max_uses=max_uses)
        if expires is not None:
            invitation.expires = expires
        token = invitation.new_token()
        invitation.save()
        return invitation, token

    @property
    def uses_so_far(self):
        count = getattr(self, "use_count", None)
        return self.uses.count() if count is None else count

    def refusal(self):
        """Why the invitation cannot be used now, or None when it can."""
        if self.revoked is not None:
            return self.REVOKED
        if self.expires <= timezone.now():
            return self.EXPIRED
        if self.uses_so_far >= self.max_uses:
            return self.USED_UP
        if self.member_id and self.member.user_id is not None:
            return self.CLAIMED
        return None

    def revoke(self):
        self.revoked = timezone.now()
        self.save(update_fields=["revoked"])

    def join(self, user, display_name=""):
        """Give `user` its member: the invited one, or a new one called `display_name`.

        Checked again under a row lock, so two people following the last use of a link at
        once cannot both join; raises InvitationRefused then.
        """
        with transaction.atomic():
            locked = Invitation.objects.select_for_update().get(pk=self.pk)
            locked.use_count = locked.uses.count()
            if reason := locked.refusal():
                raise InvitationRefused(reason)
            if locked.member_id:
                member = Member.objects.select_for_update().get(pk=locked.member_id)
                if member.user_id is not None:
                    raise InvitationRefused(self.CLAIMED)
                member.user = user
                member.save(update_fields=["user"])
            else:
                member = Member.objects.create(name=display_name, user=user)
            InvitationUse.objects.create(invitation=locked, user=user, member=member)
        return member


class InvitationUse(models.Model):
    """Who joined with an invitation, and when."""

    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, related_name="uses", verbose_name=_("invitation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="invitation_uses",
        verbose_name=_("login account"),
    )
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="+", verbose_name=_("member")
    )
    created = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["created"]
        verbose_name = _("invitation use")
        verbose_name_plural = _("invitation uses")
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "user"], name="qa_invitationuse_unique_user"
            ),
        ]

    def __str__(self):
        return str(self.member)
