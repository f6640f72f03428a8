from allauth.account.models import EmailAddress
from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminTextareaWidget
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import ValidationError
from django.db import models
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import normalize_newlines
from django.utils.translation import gettext_lazy as _

from . import admin_import
from .admin_study import EditsTopics
from .diffs import line_diff
from .models import (
    Answer,
    AnswerConflict,
    FollowUp,
    Invitation,
    Member,
    Pick,
    Question,
    Round,
    Upload,
)
from .text import validate_one_line

admin.site.site_header = _("StudyBoard administration")
admin.site.site_title = _("StudyBoard administration")
admin.site.index_title = _("Curation")

# A try fails only when someone saves an answer in the moment between its check and its save;
# after this many in a row, AnswerConflict is a server error rather than an endless loop.
CONFLICT_ATTEMPTS = 3


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "notify_by_email", "created"]
    list_filter = ["notify_by_email"]
    search_fields = ["name", "user__username", "user__email"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["author", "position", "label", "text"]
    autocomplete_fields = ["author"]
    formfield_overrides = {models.TextField: {"widget": AdminTextareaWidget(attrs={"rows": 3})}}
    ordering = ["pk"]

    def get_extra(self, request, obj=None, **kwargs):
        # One empty row to start a new round; an existing one has "Add another Question".
        return 1 if obj is None else 0


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = [
        "number", "display_title", "state", "starts_on", "ends_on", "questions_due",
        "answers_due", "blind_answers", "question_count", "pick_count", "answer_count",
    ]  # fmt: skip
    list_display_links = ["number", "display_title"]
    list_filter = ["state", "uses_picks", "blind_answers"]
    list_editable = ["state"]
    search_fields = ["title", "=number"]
    date_hierarchy = "starts_on"
    inlines = [QuestionInline]
    save_on_top = True
    actions = ["publish", "open_answering", "close"]

    class Media:
        css = {"all": ["qa/css/admin.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    def get_urls(self):
        import_url = path(
            "import/", self.admin_site.admin_view(self.import_view), name="qa_round_import"
        )
        history_url = path(
            "import-history/",
            self.admin_site.admin_view(self.history_import_view),
            name="qa_round_import_history",
        )
        export_url = path(
            "export-history/",
            self.admin_site.admin_view(self.history_export_view),
            name="qa_round_export_history",
        )
        return [import_url, history_url, export_url, *super().get_urls()]

    def import_view(self, request):
        return admin_import.import_view(self, request)

    def history_import_view(self, request):
        return admin_import.history_import_view(self, request)

    def history_export_view(self, request):
        return admin_import.history_export_view(self, request)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "question_limit":
            # A form posted without it (a script, an older page) keeps the default limit;
            # an empty value is still refused by the model.
            field.required = False
        return field

    @admin.display(description=_("title"), ordering="title")
    def display_title(self, round_):
        return round_.display_title

    @admin.display(description=_("question count"), ordering="question_count")
    def question_count(self, round_):
        return round_.question_count

    @admin.display(description=_("pick count"), ordering="pick_count")
    def pick_count(self, round_):
        return round_.pick_count

    @admin.display(description=_("answer count"), ordering="answer_count")
    def answer_count(self, round_):
        return round_.answer_count

    def _set_state(self, request, queryset, state):
        updated = queryset.update(state=state)
        self.message_user(
            request,
            _("%(count)d round(s) are now “%(state)s”.")
            % {"count": updated, "state": Round.State(state).label},
        )

    @admin.action(description=_("Publish: open selected rounds for questions"))
    def publish(self, request, queryset):
        self._set_state(request, queryset, Round.State.QUESTIONS_OPEN)

    @admin.action(description=_("Start answering in selected rounds"))
    def open_answering(self, request, queryset):
        self._set_state(request, queryset, Round.State.ANSWERING)

    @admin.action(description=_("Close selected rounds"))
    def close(self, request, queryset):
        self._set_state(request, queryset, Round.State.CLOSED)


class PickInline(admin.TabularInline):
    model = Pick
    fields = ["picker", "created"]
    readonly_fields = ["created"]
    autocomplete_fields = ["picker"]
    extra = 0


class AnswerBox(AdminTextareaWidget):
    """The answer's text box; after a conflict, followed by the stored text it would replace."""

    conflict_template_name = "admin/qa/answer/_conflict.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        # (stored answer, line diff from it to the box's text), set by AnswerAdminForm.clean().
        self.conflict = None

    def render(self, name, value, attrs=None, renderer=None):
        box = super().render(name, value, attrs, renderer)
        if self.conflict is None:
            return box
        current, diff = self.conflict
        box_id = (attrs or {}).get("id", name)
        context = {"box": box, "current": current, "diff": diff, "id": box_id}
        return render_to_string(self.conflict_template_name, context)


class AnswerAdminForm(forms.ModelForm):
    """An answer in the admin, checked against the version it was loaded at, as members' are."""

    # Not `version`: AnswerAdmin shows the stored version as a read-only field of that name.
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Answer
        fields = ["question", "author", "body"]
        widgets = {"body": AnswerBox}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            # Required, like the members' form: a post that does not say which text it edits
            # (a page from before this field, a script) cannot be checked, so it is refused.
            self.fields["base_version"].required = True
            self.fields["base_version"].initial = self.instance.version

    def clean(self):
        cleaned_data = super().clean()
        body, base = cleaned_data.get("body"), cleaned_data.get("base_version")
        if self.instance._state.adding or body is None or base is None:
            return cleaned_data
        current = (
            Answer.objects.select_related("author", "edited_by__member")
            .filter(pk=self.instance.pk)
            .first()
        )
        # The same test as Answer.save() makes under its row lock, on the text it will store.
        body = normalize_newlines(body)
        if current is None or base == current.version or body == current.body:
            return cleaned_data
        if current.revisions.filter(version=base, body=body).exists():
            # The box still holds the text the page was loaded with: the question's page sends
            # every answer back with any change to the question, edited or not. Nothing here is
            # the curator's, so the newer text stays as it is.
            cleaned_data |= {"body": current.body, "base_version": current.version}
            return cleaned_data
        # Their text stays in the box, now based on the current version, so that saving the
        # merge is an edit of the text it was compared with.
        self.data = self.data.copy()
        self.data[self.add_prefix("base_version")] = str(current.version)
        self.fields["body"].widget.conflict = (current, line_diff(current.body, body))
        self.add_error(
            "body",
            ValidationError(
                _(
                    "Saving would overwrite a newer text of this answer: version %(version)d, "
                    "saved by %(name)s. Your text was not saved. Compare it with the current "
                    "text below, merge what you want to keep into this box, and save again."
                ),
                code="conflict",
                params={"version": current.version, "name": current.editor_name},
            ),
        )
        return cleaned_data

    def save(self, commit=True):
        # The text is an edit of the version the page was loaded (or shown again) at, and
        # Answer.save() checks that one under its row lock: a member's save after clean()
        # ends in AnswerConflict rather than under this text.
        if not self.instance._state.adding:
            self.instance.version = self.cleaned_data["base_version"]
        return super().save(commit)


class ChecksAnswerVersions:
    """For admins that save answers with AnswerAdminForm: a member's save between the form's
    check and the answer's own (AnswerConflict) ends as the form's conflict, not a 500."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        for _attempt in range(CONFLICT_ATTEMPTS - 1):
            try:
                return super().changeform_view(request, object_id, form_url, extra_context)
            except AnswerConflict:
                # The view's transaction has undone all this request wrote; run again, and
                # clean() now sees the newer text and refuses the save with both texts.
                continue
        return super().changeform_view(request, object_id, form_url, extra_context)


class AnswerInline(admin.StackedInline):
    model = Answer
    form = AnswerAdminForm
    fields = ["author", "body", "base_version"]
    autocomplete_fields = ["author"]
    extra = 0


@admin.register(Question)
class QuestionAdmin(EditsTopics, ChecksAnswerVersions, admin.ModelAdmin):
    list_display = ["__str__", "round", "author", "position", "label", "pick_count"]
    list_filter = ["round__state", "round", "author"]
    list_select_related = ["round", "author"]
    search_fields = ["text", "label", "author__name", "=round__number"]
    autocomplete_fields = ["round", "author"]
    inlines = [PickInline, AnswerInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_pick_count()

    def save_formset(self, request, form, formset, change):
        if formset.model is Answer:
            for answer_form in formset.forms:
                if answer_form.has_changed():
                    answer_form.instance.edited_by = request.user
        super().save_formset(request, form, formset, change)

    @admin.display(description="👀", ordering="pick_count")
    def pick_count(self, question):
        return question.pick_count


@admin.register(Pick)
class PickAdmin(admin.ModelAdmin):
    list_display = ["question", "round", "question_author", "picker_name", "created"]
    list_filter = ["round", "picker"]
    list_select_related = ["question__author", "question__round", "round", "question_author", "picker"]
    search_fields = ["question__text", "picker__name", "question_author__name"]
    autocomplete_fields = ["question", "picker"]

    @admin.display(description=_("picked by"))
    def picker_name(self, pick):
        return pick.picker_name


@admin.register(Answer)
class AnswerAdmin(ChecksAnswerVersions, admin.ModelAdmin):
    form = AnswerAdminForm
    list_display = ["question", "author", "created", "updated"]
    list_filter = ["question__round", "author"]
    list_select_related = ["question__author", "question__round", "author"]
    search_fields = ["body", "author__name", "question__text"]
    autocomplete_fields = ["question", "author"]
    date_hierarchy = "created"
    readonly_fields = ["version", "edited_by", "history"]

    def save_model(self, request, obj, form, change):
        obj.edited_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("history"))
    def history(self, answer):
        """Earlier texts are compared and restored on the board's history page."""
        if not answer.pk:
            return "-"
        return format_html('<a href="{}">{}</a>', answer.get_history_url(), _("Revisions"))


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    """Moderation: read and delete. Members edit their own on the board, where an edit
    is checked against the version it started from."""

    list_display = ["__str__", "author", "round", "answer", "promoted_to", "created"]
    list_filter = ["round"]
    list_select_related = [
        "author", "round", "answer__author", "answer__question__author", "answer__question__round",
        "promoted_to__author", "promoted_to__round",
    ]  # fmt: skip
    search_fields = ["body", "author__name", "answer__author__name"]
    date_hierarchy = "created"
    fields = ["answer", "author", "round", "body", "body_html", "promoted_to", "version", "created"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    """What takes the disk: read-only, since answers link to these files by name."""

    list_display = ["file", "size", "uploaded_by", "created"]
    list_select_related = ["uploaded_by"]
    search_fields = ["file", "uploaded_by__username"]
    date_hierarchy = "created"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MemberInline(admin.StackedInline):
    """An account's member on its change page: renamed, or created for an account without."""

    model = Member
    fields = ["name"]
    can_delete = False
    max_num = 1
    extra = 1


User = get_user_model()
admin.site.unregister(User)


class LoginCreationForm(AdminUserCreationForm):
    """A login with its e-mail, for a member without an account or for a new member."""

    member = forms.ModelChoiceField(
        label=_("Member"),
        queryset=Member.objects.unclaimed(),
        required=False,
        help_text=_("A member without an account, such as one imported from a file."),
    )
    new_member = forms.CharField(
        label=_("Or a new member called"),
        max_length=Member._meta.get_field("name").max_length,
        required=False,
        validators=[validate_one_line],
    )

    class Meta(AdminUserCreationForm.Meta):
        fields = ["username", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True

    def clean_email(self):
        email = self.cleaned_data["email"]
        if (
            User.objects.filter(email__iexact=email).exists()
            or EmailAddress.objects.filter(email__iexact=email).exists()
        ):
            raise ValidationError(
                _("Another account has this e-mail address."), code="email_taken"
            )
        return email

    def clean_new_member(self):
        name = self.cleaned_data["new_member"]
        if name and Member.objects.named(name).exists():
            raise ValidationError(
                _("There is a member called “%(name)s”: choose them as the member instead."),
                code="taken",
                params={"name": name},
            )
        return name

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("member") and cleaned_data.get("new_member"):
            raise ValidationError(
                _("Choose a member or name a new one, not both."), code="member_twice"
            )
        return cleaned_data

    def save_member(self, user):
        """Link the saved account to its member and record its address for allauth."""
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
        if member := self.cleaned_data.get("member"):
            member.user = user
            member.save(update_fields=["user"])
        elif name := self.cleaned_data.get("new_member"):
            Member.objects.create(name=name, user=user)


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    add_form = LoginCreationForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username", "email", "member", "new_member",
                    "usable_password", "password1", "password2",
                ),
            },
        ),
    )  # fmt: skip

    def get_inlines(self, request, obj):
        # On the add page the member is a field of the form (LoginCreationForm).
        return [] if obj is None else [*super().get_inlines(request, obj), MemberInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            form.save_member(obj)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations made here show their link once, in the message after saving."""

    list_display = ["__str__", "member", "state", "use_count", "max_uses", "expires", "created_by"]
    list_filter = ["revoked"]
    search_fields = ["member__name", "uses__member__name", "uses__user__username"]
    fields = ["member", "max_uses", "expires", "state", "joined"]
    readonly_fields = ["state", "joined"]
    actions = ["revoke"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_uses()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "member":
            kwargs["queryset"] = Member.objects.unclaimed()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # What a link promised is not changed afterwards: revoke it and make another.
        if obj is not None:
            return ["member", "max_uses", "expires", "state", "joined"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            token = obj.new_token()
            super().save_model(request, obj, form, change)
            link = request.build_absolute_uri(Invitation.link_path(token))
            self.message_user(
                request,
                format_html(
                    "{} <code>{}</code>",
                    _("The invitation link, shown only this once: copy it now."),
                    link,
                ),
            )
            return
        super().save_model(request, obj, form, change)

    @admin.display(description=_("uses so far"), ordering="use_count")
    def use_count(self, invitation):
        return invitation.use_count

    @admin.display(description=_("state"))
    def state(self, invitation):
        if not invitation.pk:
            return "-"
        return render_to_string("qa/_invitation_state.html", {"invitation": invitation}).strip()

    @admin.display(description=_("joined with it"))
    def joined(self, invitation):
        if not invitation.pk:
            return "-"
        uses = invitation.uses.select_related("member", "user")
        return ", ".join(f"{use.member.name} ({use.user.get_username()})" for use in uses) or "-"

    @admin.action(description=_("Revoke selected invitations"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked__isnull=True).update(revoked=timezone.now())
        self.message_user(request, _("%(count)d invitation(s) revoked.") % {"count": count})
