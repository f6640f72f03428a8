from datetime import timedelta
from io import BytesIO
from uuid import uuid4

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from markdownx.widgets import MarkdownxWidget
from PIL import Image, ImageOps

from . import notifications
from .models import (
    Answer,
    FollowUp,
    Invitation,
    Member,
    Question,
    Topic,
    Upload,
)
from .search import find, split_terms

# Pillow format name -> the extension the stored file gets, whatever the upload was called.
IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
IMAGE_MAX_BYTES = 5 * 1024 * 1024
# A 6000×4000 photo; the bound keeps a tiny file from decoding into gigabytes.
IMAGE_MAX_PIXELS = 24_000_000
KEPT_IMAGE_INFO = ("icc_profile", "transparency", "duration", "loop", "disposal", "background")


class QuestionForm(forms.ModelForm):
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Left empty, they are chosen from the question's text."),
    )

    class Meta:
        model = Question
        fields = ["label", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "label": _("Numbers the question on the board, such as “3.” or “Q4.”; "
                       "left empty, it gets the next number."),
        }  # fmt: skip

    def __init__(self, *args, round=None, author=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:
            self.instance.round = round
            self.instance.author = author
            if not self.is_bound:
                self.initial.setdefault("label", round.next_label(author))
        elif not self.is_bound:
            self.initial.setdefault("topics", list(self.instance.topics.all()))

    def clean(self):
        cleaned_data = super().clean()
        if self.instance._state.adding:
            self.instance.round.check_room_for_question(self.instance.author)
        return cleaned_data

    @transaction.atomic
    def save(self, commit=True):
        if self.instance._state.adding:
            # Position and the limit are settled under a lock, not from this form's view.
            question = self.instance.round.add_question(
                self.instance.author, self.cleaned_data["text"], self.cleaned_data["label"]
            )
        else:
            question = super().save(commit)
        Topic.objects.set_for(question, self.cleaned_data["topics"])
        return question


class AnswerForm(forms.ModelForm):
    # The version the writer started from; a save based on an older one is a conflict.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = Answer
        fields = ["body"]
        widgets = {
            "body": MarkdownxWidget(
                attrs={"rows": 16, "aria-describedby": "answer-help answer-keys"}
            )
        }

    def __init__(self, *args, editor, **kwargs):
        super().__init__(*args, **kwargs)
        self.editor = editor
        self.fields["version"].initial = 0 if self.instance._state.adding else self.instance.version

    def save(self):
        """Save the answer; AnswerConflict when someone saved it since the form was loaded."""
        answer = super().save(commit=False)
        answer.edited_by = self.editor
        adding = answer._state.adding
        if not adding:
            answer.version = self.cleaned_data["version"]
        answer.save_edit()
        if adding:
            notifications.answer_posted(answer)
        return answer


class FollowUpForm(forms.ModelForm):
    # The version the writer started from, when editing; a save based on an older one is a
    # conflict (FollowUpConflict).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = FollowUp
        fields = ["body"]
        labels = {"body": _("Follow-up question")}
        # No maxlength: a browser would cut a long paste silently; the form says so instead.
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, answer=None, author=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:
            self.instance.answer, self.instance.author = answer, author
            del self.fields["version"]
        else:
            self.fields["version"].initial = self.instance.version

    def save(self):
        """Save the follow-up; FollowUpConflict when someone saved it since the form was loaded."""
        follow_up = self.instance
        if not follow_up._state.adding:
            follow_up.edit(self.cleaned_data["body"], self.cleaned_data["version"])
            return follow_up
        follow_up.save()
        notifications.follow_up_posted(follow_up)
        return follow_up


def reencoded(image):
    """The picture in `image`, encoded anew in its own format, and nothing else: no EXIF (a
    phone photo's GPS position and camera), no comments, no bytes after the image's end, so a
    file that is also a script comes out a plain image."""
    format_ = image.format
    animated = getattr(image, "n_frames", 1) > 1
    # Only what drawing the picture needs; colour profiles hold nothing about the person.
    options = {key: image.info[key] for key in KEPT_IMAGE_INFO if key in image.info}
    if animated:
        options["save_all"] = True
    else:
        # EXIF's orientation is about to be dropped: turn the pixels instead.
        image = ImageOps.exif_transpose(image)
    if format_ == "JPEG":
        options["quality"] = 90
    image.info = {}
    buffer = BytesIO()
    image.save(buffer, format=format_, **options)
    return buffer.getvalue()


def decode_image(upload):
    """(the image re-encoded, its extension) for a PNG, JPEG, GIF or WebP file, checked by
    decoding it, never by its name; ValidationError otherwise. Uploads and imports use it."""
    unreadable = ValidationError(
        _("Upload a PNG, JPEG, GIF or WebP image; this file is not one, or it is damaged."),
        code="invalid_image",
    )
    too_many_pixels = ValidationError(
        _("Images can have at most %(limit)d million pixels."),
        code="too_many_pixels",
        params={"limit": IMAGE_MAX_PIXELS // 1_000_000},
    )
    try:
        # Only these decoders run: Pillow never hands the bytes to another plugin.
        with Image.open(upload, formats=list(IMAGE_FORMATS)) as image:
            width, height = image.size
            if width * height > IMAGE_MAX_PIXELS:
                raise too_many_pixels
            image.verify()
            extension = IMAGE_FORMATS[image.format]
        # verify() leaves the image unusable and misses a cut-off JPEG; decoding does not.
        upload.seek(0)
        with Image.open(upload, formats=list(IMAGE_FORMATS)) as image:
            image.load()
            return ContentFile(reencoded(image), name=f"image.{extension}"), extension
    except ValidationError:
        raise
    except Image.DecompressionBombError as error:  # far beyond the bound, refused by Pillow
        raise too_many_pixels from error
    except Exception as error:  # Pillow reports broken files with many exception types
        raise unreadable from error


class ImageUploadForm(forms.Form):
    """An image dropped into the answer editor: checked by decoding it, never by its name."""

    image = forms.FileField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_image(self):
        upload = self.cleaned_data["image"]
        if upload.size > IMAGE_MAX_BYTES:
            raise ValidationError(
                _("Images can be at most %(limit)d MB."),
                code="too_large",
                params={"limit": IMAGE_MAX_BYTES // (1024 * 1024)},
            )
        quota = settings.UPLOAD_QUOTA_MB * 1024 * 1024
        if Upload.objects.used_bytes(self.user) + upload.size > quota:
            raise ValidationError(
                _(
                    "Your images take up the %(limit)d MB each member has. Images no answer "
                    "shows are removed after a day."
                ),
                code="over_quota",
                params={"limit": settings.UPLOAD_QUOTA_MB},
            )
        image, self.extension = decode_image(upload)
        return image

    def save(self):
        """Store the image under a name of our choosing, count it as the user's, and return
        its URL."""
        image = self.cleaned_data["image"]
        image.name = f"{uuid4().hex}.{self.extension}"
        upload = Upload.objects.create(file=image, size=image.size, uploaded_by=self.user)
        return upload.file.url


class SearchForm(forms.Form):
    """A query over the rounds the reader may see, optionally within one round or member."""

    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    # A number, not a list of every round: years of weekly rounds make a select too long.
    round = forms.IntegerField(
        label=_("Round"),
        min_value=1,
        required=False,
        widget=forms.NumberInput(attrs={"placeholder": _("All rounds")}),
    )
    member = forms.ModelChoiceField(
        label=_("Member"),
        queryset=Member.objects.all(),
        to_field_name="name",
        required=False,
        empty_label=_("All members"),
    )

    def __init__(self, *args, rounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.rounds = rounds

    def clean_round(self):
        number = self.cleaned_data["round"]
        if number is not None and not self.rounds.filter(number=number).exists():
            raise ValidationError(
                _("There is no round %(number)d."), code="no_round", params={"number": number}
            )
        return number

    @property
    def terms(self):
        return split_terms(self.cleaned_data["q"]) if self.is_valid() else []

    @property
    def is_filtered(self):
        """Whether a round or a member narrows the search."""
        return self.is_valid() and any(
            self.cleaned_data[name] is not None for name in ("round", "member")
        )

    def search(self, newest=None, hidden=None):
        """find() rows for the query, within the chosen round and member, without the
        `hidden` answers (blind answering's)."""
        rounds = self.rounds
        if self.cleaned_data["round"] is not None:
            rounds = rounds.filter(number=self.cleaned_data["round"])
        return find(
            self.terms, rounds, author=self.cleaned_data["member"], newest=newest, hidden=hidden
        )


class InvitationForm(forms.Form):
    """A curator's invitation: for a member without an account, or open for new members."""

    member = forms.ModelChoiceField(
        label=_("For member"),
        queryset=Member.objects.unclaimed(),
        required=False,
        empty_label=_("Anyone (a new member)"),
    )
    max_uses = forms.IntegerField(
        label=_("Uses"),
        min_value=1,
        max_value=100,
        initial=1,
        help_text=_("How many people may join with the link; always one for a named member."),
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=90,
        required=False,
        initial=lambda: settings.INVITATION_DAYS,
    )

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("member") is not None and cleaned_data.get("max_uses", 1) != 1:
            raise ValidationError(
                _("An invitation for a named member can be used once."), code="member_once"
            )
        return cleaned_data

    def save(self, created_by):
        """The new invitation and its token."""
        data = self.cleaned_data
        return Invitation.create(
            created_by=created_by,
            member=data["member"],
            max_uses=data["max_uses"],
            expires=timezone.now() + timedelta(days=data["days"] or settings.INVITATION_DAYS),
        )


class ProfileForm(forms.ModelForm):
    """The name the board shows for a member, unique in the group, and whether they are
    e-mailed about answers and follow-ups (qa.notifications)."""

    class Meta:
        model = Member
        fields = ["name", "notify_by_email"]
        labels = {"name": _("Display name")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:
            self.instance.user = user

    def clean_name(self):
        name = self.cleaned_data["name"]
        taken = Member.objects.named(name).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(
                _("The name “%(name)s” is taken in this group; choose another."),
                code="taken",
                params={"name": name},
            )
        return name
