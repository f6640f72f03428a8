from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import admin_import
from .models import Answer, Member, Pick, Question, Round


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "created"]
    search_fields = ["name", "user__username", "user__email"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["author", "position", "label", "text"]
    autocomplete_fields = ["author"]
    extra = 4
    ordering = ["pk"]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = [
        "number", "display_title", "state", "starts_on", "ends_on",
        "question_count", "pick_count", "answer_count",
    ]  # fmt: skip
    list_display_links = ["number", "display_title"]
    list_filter = ["state"]
    list_editable = ["state"]
    search_fields = ["title", "=number"]
    date_hierarchy = "starts_on"
    inlines = [QuestionInline]
    save_on_top = True
    actions = ["publish", "open_answering", "close"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    def get_urls(self):
        import_url = path(
            "import/", self.admin_site.admin_view(self.import_view), name="qa_round_import"
        )
        return [import_url, *super().get_urls()]

    def import_view(self, request):
        return admin_import.import_view(self, request)

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


class AnswerInline(admin.StackedInline):
    model = Answer
    fields = ["author", "body"]
    autocomplete_fields = ["author"]
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
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
class AnswerAdmin(admin.ModelAdmin):
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


class MemberInline(admin.StackedInline):
    """Create a login and its member in one form, or link an account to a new member."""

    model = Member
    fields = ["name"]
    can_delete = False
    max_num = 1
    extra = 1


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    inlines = [*auth_admin.UserAdmin.inlines, MemberInline]
