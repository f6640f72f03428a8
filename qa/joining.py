"""Joining the group: the members page, invitations, and each member's profile."""

from allauth.core.internal import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from .accounts import refused_page, remember_invitation
from .forms import InvitationForm, ProfileForm
from .models import Invitation, Member, member_of

# The link of an invitation just made, shown once on its page (the database keeps a digest).
NEW_LINK_SESSION_KEY = "qa_new_invitation"


def _curator_only(request):
    if not request.user.is_staff:
        raise PermissionDenied


@require_safe
def member_list(request):
    """Every member; curators also see who has no account yet, and invite them."""
    is_curator = request.user.is_staff
    context = {"members": Member.objects.order_by("name"), "is_curator": is_curator}
    if is_curator:
        context["invitations"] = Invitation.objects.with_uses()[:50]
        context["form"] = InvitationForm()
    return render(request, "qa/member_list.html", context)


@require_POST
def invitation_create(request):
    _curator_only(request)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "qa/member_list.html",
            {
                "members": Member.objects.order_by("name"),
                "is_curator": True,
                "invitations": Invitation.objects.with_uses()[:50],
                "form": form,
            },
            status=400,
        )
    invitation, token = form.save(created_by=request.user)
    request.session[NEW_LINK_SESSION_KEY] = {"pk": invitation.pk, "token": token}
    return redirect(invitation)


@never_cache
@require_safe
def invitation_detail(request, pk):
    _curator_only(request)
    invitation = get_object_or_404(Invitation.objects.with_uses(), pk=pk)
    new = request.session.get(NEW_LINK_SESSION_KEY)
    link = None
    if new and new["pk"] == invitation.pk:
        del request.session[NEW_LINK_SESSION_KEY]
        link = request.build_absolute_uri(Invitation.link_path(new["token"]))
    uses = invitation.uses.select_related("user", "member")
    return render(
        request,
        "qa/invitation_detail.html",
        {"invitation": invitation, "link": link, "uses": uses},
    )


@require_POST
def invitation_revoke(request, pk):
    _curator_only(request)
    invitation = get_object_or_404(Invitation, pk=pk)
    invitation.revoke()
    messages.success(request, _("The invitation is revoked: its link no longer works."))
    return redirect(invitation)


@never_cache
@require_safe
def invitation_accept(request, token):
    """A link from the group chat: remembered in the session, then on to sign-up.

    Links that name no invitation count against the address (ACCOUNT_RATE_LIMITS
    "invitation"), so tokens cannot be guessed at any speed.
    """
    limit = {"request": request, "app": "allauth.account", "action": "invitation"}
    if not ratelimit.consume(**limit, limit_get=True, dry_run=True):
        return ratelimit.respond_429(request)
    invitation = Invitation.objects.with_uses().find(token)
    if invitation is None:
        ratelimit.consume(**limit, limit_get=True)
        return refused_page(request, "unknown", status=404)
    if reason := invitation.refusal():
        return refused_page(request, reason)
    remember_invitation(request, invitation)
    # Off the token's address at once, so that no later request carries it as its Referer.
    return redirect("account_signup")


@login_required
def profile(request):
    """A member's display name; e-mail addresses, password and GitHub are allauth's pages."""
    member = member_of(request.user)
    form = ProfileForm(request.POST or None, instance=member, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile is saved."))
        return redirect("qa:profile")
    return render(request, "qa/profile.html", {"form": form, "member": member})
