from io import BytesIO
from uuid import uuid4

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from markdownx.widgets import MarkdownxWidget
from PIL import Image, ImageOps

from .models import Answer, Member, Question, Upload
from .search import find, split_terms

# Pillow format name -> the extension the stored file gets, whatever the upload was called.
IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
IMAGE_MAX_BYTES = 5 * 1024 * 1024
# A 6000×4000 photo; the bound keeps a tiny file from decoding into gigabytes.
IMAGE_MAX_PIXELS = 24_000_000
KEPT_IMAGE_INFO = ("icc_profile", "transparency", "duration", "loop", "disposal", "background")


class QuestionForm(forms.ModelForm):
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

    def clean(self):
        cleaned_data = super().clean()
        if self.instance._state.adding:
            self.instance.round.check_room_for_question(self.instance.author)
        return cleaned_data

    def save(self, commit=True):
        if self.instance._state.adding:
            # Position and the limit are settled under a lock, not from this form's view.
            return self.instance.round.add_question(
                self.instance.author, self.cleaned_data["text"], self.cleaned_data["label"]
            )
        return super().save(commit)


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
        if not answer._state.adding:
            answer.version = self.cleaned_data["version"]
        answer.save_edit()
        return answer


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
                self.extension = IMAGE_FORMATS[image.format]
            # verify() leaves the image unusable and misses a cut-off JPEG; decoding does not.
            upload.seek(0)
            with Image.open(upload, formats=list(IMAGE_FORMATS)) as image:
                image.load()
                return ContentFile(reencoded(image), name=f"image.{self.extension}")
        except ValidationError:
            raise
        except Image.DecompressionBombError as error:  # far beyond the bound, refused by Pillow
            raise too_many_pixels from error
        except Exception as error:  # Pillow reports broken files with many exception types
            raise unreadable from error

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

    def search(self, newest=None):
        """find() rows for the query, within the chosen round and member."""
        rounds = self.rounds
        if self.cleaned_data["round"] is not None:
            rounds = rounds.filter(number=self.cleaned_data["round"])
        return find(self.terms, rounds, author=self.cleaned_data["member"], newest=newest)
