"""Forms of the question bank, the review queue and mock interviews."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Grade, Member, Topic
from .models.interviews import DEFAULT_QUESTIONS, MAX_QUESTIONS


class TopicChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("Topic"), queryset=Topic.objects.all(), to_field_name="slug", required=False,
            empty_label=_("All topics"), **kwargs,
        )  # fmt: skip


class BankForm(forms.Form):
    """The bank's filters, over the rounds the reader may see."""

    ANSWER_COUNTS = {"0": (0, 0), "1": (1, None), "3": (3, None)}

    topic = TopicChoiceField()
    round = forms.IntegerField(
        label=_("Round"), min_value=1, required=False,
        widget=forms.NumberInput(attrs={"placeholder": _("All rounds")}),
    )  # fmt: skip
    member = forms.ModelChoiceField(
        label=_("Member"), queryset=Member.objects.all(), to_field_name="name", required=False,
        empty_label=_("All members"),
    )  # fmt: skip
    answers = forms.ChoiceField(
        label=_("Answers"),
        required=False,
        choices=[
            ("", _("Any number")), ("0", _("No answers yet")), ("1", _("At least one")),
            ("3", _("Three or more")),
        ],
    )  # fmt: skip

    def filter(self, questions):
        """`questions` (annotated with answer_count) narrowed by the valid filters."""
        if not self.is_bound or not self.is_valid():
            return questions
        data = self.cleaned_data
        if data["topic"]:
            questions = questions.filter(topics=data["topic"])
        if data["round"]:
            questions = questions.filter(round__number=data["round"])
        if data["member"]:
            questions = questions.filter(author=data["member"])
        if data["answers"]:
            least, most = self.ANSWER_COUNTS[data["answers"]]
            questions = questions.filter(answer_count__gte=least)
            if most is not None:
                questions = questions.filter(answer_count__lte=most)
        return questions


class GradeForm(forms.Form):
    rating = forms.TypedChoiceField(choices=Grade.Rating.choices, coerce=int)
    # The card's number of grades on the page that sent this one (ReviewCard.reps).
    reps = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)


class InterviewForm(forms.Form):
    topic = TopicChoiceField()
    first_round = forms.IntegerField(label=_("From round"), min_value=1, required=False)
    last_round = forms.IntegerField(label=_("To round"), min_value=1, required=False)
    size = forms.IntegerField(
        label=_("Questions"), min_value=1, max_value=MAX_QUESTIONS, initial=DEFAULT_QUESTIONS
    )

    def clean(self):
        data = super().clean()
        first, last = data.get("first_round"), data.get("last_round")
        if first and last and last < first:
            raise ValidationError(
                _("The last round comes before the first."), code="rounds_out_of_order"
            )
        return data


class InterviewAnswerForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.CharField(
        label=_("Your answer"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 8, "autofocus": True, "data-submit-shortcut": ""}),
    )


class InterviewGradeForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    rating = forms.TypedChoiceField(choices=Grade.Rating.choices, coerce=int)
