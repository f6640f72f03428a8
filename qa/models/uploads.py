"""Images stored for the answer editor: who stored them, how much, and which are still shown."""

import re
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .answers import Answer, Revision
from .questions import Question

UPLOAD_FOLDER = "answers"
# The names ImageUploadForm gives: 32 hex digits and the format's extension.
UPLOAD_NAME_PATTERN = r"[0-9a-f]{32}\.(?:png|jpg|gif|webp)"
UPLOAD_NAME = re.compile(rf"\b{UPLOAD_NAME_PATTERN}\b")
# The only types an upload is served as, from the extension the form gave after decoding it.
UPLOAD_CONTENT_TYPES = {
    "png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"
}  # fmt: skip


def names_in_use():
    """Every upload's file name that some question, answer or earlier version of an answer
    shows: history keeps what a restore would bring back."""
    used = set()
    marker = f"{UPLOAD_FOLDER}/"
    for model, field in ((Answer, "body"), (Revision, "body"), (Question, "text")):
        texts = model.objects.filter(**{f"{field}__contains": marker}).values_list(field, flat=True)
        for text in texts.iterator(chunk_size=2000):
            used.update(UPLOAD_NAME.findall(text))
    return used


class UploadQuerySet(models.QuerySet):
    def used_bytes(self, user):
        return self.filter(uploaded_by=user).aggregate(total=Sum("size"))["total"] or 0


class Upload(models.Model):
    """An image from the editor. Counted in its uploader's quota; `remove_unused_uploads`
    deletes it once nothing shows it."""

    file = models.FileField(_("file"), upload_to=f"{UPLOAD_FOLDER}/", unique=True)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="uploads",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = UploadQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        indexes = [models.Index(fields=["uploaded_by", "created"], name="qa_upload_by_created")]

    def __str__(self):
        return self.file.name


def unused_files(grace=timedelta(hours=24)):
    """(name, size) of each stored upload older than `grace` that nothing shows, files kept
    before uploads were recorded included. The grace covers an answer still being written."""
    cutoff = timezone.now() - grace
    used = names_in_use()
    recorded = dict(Upload.objects.values_list("file", "created"))
    try:
        _, names = default_storage.listdir(UPLOAD_FOLDER)
    except FileNotFoundError:
        names = []
    for name in sorted(names):
        if not UPLOAD_NAME.fullmatch(name):
            continue  # not a name ImageUploadForm gives: someone else's file
        path = f"{UPLOAD_FOLDER}/{name}"
        created = recorded.get(path) or default_storage.get_modified_time(path)
        if name not in used and created < cutoff:
            yield path, default_storage.size(path)
