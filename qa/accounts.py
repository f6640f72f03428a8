"""How django-allauth fits StudyBoard: sign-up only through an invitation (or SIGNUP=open),
each new account joined to its member, and the client's address as our limits see it."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.forms import SignupForm as AllauthSocialSignupForm
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .limits import client_address
from .models import Invitation, InvitationRefused, Member
from .text import validate_one_line

# The invitation a visitor followed, kept in their session until they have signed up.
SESSION_KEY = "qa_invitation"


def remember_invitation(request, invitation):
    request.session[SESSION_KEY] = invitation.pk


def session_invitation(request):
    """The invitation this visitor followed, usable or not; None if they followed none."""
    pk = request.session.get(SESSION_KEY)
    if pk is None:
        return None
    return Invitation.objects.with_uses().filter(pk=pk).first()


def followed_invitation(request):
    """The invitation this visitor followed, while it can still be used; None otherwise."""
    invitation = session_invitation(request)
    if invitation is None or invitation.refusal():
        return None
    return invitation


def forget_invitation(request):
    request.session.pop(SESSION_KEY, None)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return settings.SIGNUP_OPEN or followed_invitation(request) is not None

    def get_client_ip(self, request):
        # The same address qa.limits counts, so one client is one client to every limit.
        if settings.SECURE_PROXY_SSL_HEADER:
            return client_address(request)
        return super().get_client_ip(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return AccountAdapter(request).is_open_for_signup(request)


def refused_page(request, reason, status=410):
    """Why an invitation link does not work, and what to do about it."""
    response = render(request, "qa/invitation_refused.html", {"reason": reason}, status=status)
    # Django logs the path of every 4xx response, and this one holds a token.
    response._has_been_logged = True
    return response


def validate_display_name(name):
    if Member.objects.named(name).exists():
        raise ValidationError(
            _("The name “%(name)s” is taken in this group; choose another."),
            code="taken",
            params={"name": name},
        )


def display_name_field(**kwargs):
    return forms.CharField(
        label=_("Display name"),
        max_length=Member._meta.get_field("name").max_length,
        validators=[validate_one_line, validate_display_name],
        help_text=_("How the board shows you, such as your name in the group chat."),
        **kwargs,
    )


class JoiningForm:
    """Sign-up that also gives the account its member (qa.models.Invitation.join)."""

    def add_display_name(self):
        request = context.request
        self.invitation = followed_invitation(request)
        if self.invitation is not None and self.invitation.member_id:
            return  # joining as the invited member: the name is theirs already
        self.fields["display_name"] = display_name_field()
        order = list(self.fields)
        order.remove("display_name")
        order.insert(order.index("username") + 1 if "username" in order else 0, "display_name")
        self.order_fields(order)

    def try_save(self, request):
        try:
            # The account and its member are made together or not at all.
            with transaction.atomic():
                return super().try_save(request)
        except InvitationRefused as refused:
            return None, refused_page(request, refused.reason)

    def custom_signup(self, request, user):
        super().custom_signup(request, user)
        display_name = self.cleaned_data.get("display_name", "")
        invitation = session_invitation(request)
        if invitation is not None:
            invitation.join(user, display_name)
            forget_invitation(request)
        elif settings.SIGNUP_OPEN:
            Member.objects.create(name=display_name, user=user)
        else:
            # Sign-up was open when the form was shown, and is closed now.
            raise InvitationRefused(Invitation.EXPIRED)


class SignupForm(JoiningForm, AllauthSignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_display_name()


class SocialSignupForm(JoiningForm, AllauthSocialSignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_display_name()
