"""Curating topics, and the review cards and interviews members keep (read in the admin)."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .models import Grade, InterviewItem, MockInterview, ReviewCard, Topic


class QuestionTopicsForm(forms.ModelForm):
    """The question's fields and its topics (kept on Topic, so not a field of the model)."""

    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["topics"] = list(self.instance.topics.all())


class EditsTopics:
    """A question's admin page with its topics: curators set them as authors do."""

    form = QuestionTopicsForm

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.topics.set(form.cleaned_data["topics"])


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "question_count"]
    search_fields = ["name", "slug", "keywords"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    @admin.display(description=_("questions"), ordering="question_count")
    def question_count(self, topic):
        return topic.question_count


class GradeInline(admin.TabularInline):
    model = Grade
    fields = ["rating", "source", "reviewed"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReviewCard)
class ReviewCardAdmin(admin.ModelAdmin):
    """Members schedule their cards by grading; curators only look, or pause and drop."""

    list_display = ["member", "question", "status", "state", "due", "reps"]
    list_filter = ["status", "state"]
    list_select_related = ["member", "question__author"]
    search_fields = ["member__name", "question__text"]
    fields = ["member", "question", "status", "state", "step", "stability", "difficulty", "due",
              "last_review", "reps"]  # fmt: skip
    readonly_fields = ["member", "question", "state", "step", "stability", "difficulty", "due",
                       "last_review", "reps"]  # fmt: skip
    inlines = [GradeInline]

    def has_add_permission(self, request):
        return False


class InterviewItemInline(admin.TabularInline):
    model = InterviewItem
    fields = ["position", "question", "answer", "seconds", "rating"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MockInterview)
class MockInterviewAdmin(admin.ModelAdmin):
    list_display = ["member", "created", "topic", "first_round", "last_round"]
    list_select_related = ["member", "topic"]
    readonly_fields = ["member", "topic", "first_round", "last_round", "created"]
    inlines = [InterviewItemInline]

    def has_add_permission(self, request):
        return False
