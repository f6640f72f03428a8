"""The admin's "Import .md": upload a weekly file, preview what it creates, confirm; and the
same for a group's whole repository as a .zip, with the board's export as a .zip download."""

import re
import tempfile
import time
import zipfile
from io import BytesIO
from pathlib import Path
from uuid import uuid4

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .history import export_history, imported_message, save_plan
from .history import plan_import as plan_history_import
from .importer import RoundFileError, decode_round_file, parse_round, plan_import
from .models import PICK_MARKER, Round
from .roundfile import HistoryError

FILE_MAX_BYTES = 1024 * 1024
PAYLOAD_SALT = "qa.round-import"
# Long enough to read a preview, short enough that a stale one is not imported by accident.
PAYLOAD_MAX_AGE = 60 * 60


def default_import_state():
    """An imported file is an earlier week while a round is in progress: it must not take
    "this week" from it. With none in progress, the imported week is this week's."""
    if Round.objects.in_progress().exists():
        return Round.State.CLOSED
    return Round.State.ANSWERING


def _plan(text, filename, options):
    try:
        return plan_import(
            parse_round(text, filename=filename, marker=options["marker"]),
            number=options["number"],
            title=options["title"],
            answerer=options["answerer"],
            picker=options["picker"],
            state=options["state"],
            replace=options["replace"],
        )
    except RoundFileError as err:
        raise ValidationError(str(err), code="invalid_round_file") from None


class RoundImportForm(forms.Form):
    required_css_class = "required"  # bold labels, as on the admin's own forms

    file = forms.FileField(label=_("Markdown file"), help_text=_("A weekly .md file, UTF-8."))
    number = forms.IntegerField(
        label=_("round number"),
        min_value=1,
        required=False,
        help_text=_("Empty: from the file name (3주차.md, week-03.md), else the next free number."),
    )
    title = forms.CharField(
        label=_("title"),
        max_length=Round._meta.get_field("title").max_length,
        required=False,
        help_text=_("Empty: the file's first # heading, else the round number."),
    )
    answerer = forms.CharField(
        label=_("answers written by"),
        max_length=50,
        required=False,
        help_text=_("The member who wrote the answers that have no ✍️ author line."),
    )
    picker = forms.CharField(
        label=_("picked by"), max_length=50, required=False, help_text=_("Empty: the curators.")
    )
    marker = forms.CharField(label=_("pick marker"), initial=PICK_MARKER, max_length=8)
    state = forms.ChoiceField(
        label=_("state"),
        choices=Round.State.choices,
        help_text=_(
            "“This week” shows the newest round with questions open or answering. While one "
            "is, an imported week is closed by default; with none, it takes answers."
        ),
    )
    replace = forms.BooleanField(
        label=_("replace the round with this number if it exists"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].initial = default_import_state()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > FILE_MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(limit)d KB."),
                code="too_large",
                params={"limit": FILE_MAX_BYTES // 1024},
            )
        return upload

    def clean(self):
        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data
        upload = cleaned_data["file"]
        data = upload.read()
        self.summary = _plan(data, upload.name, cleaned_data)
        self.text = decode_round_file(data)  # the parser accepted it, so this cannot fail
        return cleaned_data

    def payload(self):
        """Everything the preview showed, signed, so confirming imports exactly that."""
        summary, options = self.summary, self.cleaned_data
        return signing.dumps(
            {
                "text": self.text,
                "filename": summary.parsed.filename,
                "number": summary.number,
                "title": options["title"],
                "answerer": options["answerer"],
                "picker": options["picker"],
                "marker": options["marker"],
                "state": summary.state,
                "replace": options["replace"],
            },
            salt=PAYLOAD_SALT,
            compress=True,
        )


def _signed_preview(payload, salt):
    """The data a preview signed, or why the curator must upload the file again."""
    try:
        return signing.loads(payload, salt=salt, max_age=PAYLOAD_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(
            _("This preview is more than an hour old. Upload the file again."), code="expired"
        ) from None
    except signing.BadSignature:
        raise ValidationError(
            _("This preview was changed after it was made. Upload the file again."),
            code="tampered",
        ) from None


class RoundImportConfirmForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput)

    def clean_payload(self):
        data = _signed_preview(self.cleaned_data["payload"], PAYLOAD_SALT)
        self.summary = _plan(data.pop("text"), data.pop("filename"), data)
        return self.cleaned_data["payload"]


def import_view(model_admin, request):
    """Upload → preview (nothing written) → confirm (written in one transaction)."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form, errors = RoundImportForm(), []
    if request.method == "POST" and "payload" in request.POST:
        confirm = RoundImportConfirmForm(request.POST)
        if confirm.is_valid():
            try:
                round_ = confirm.summary.save()
            except RoundFileError as err:
                errors = [str(err)]
            else:
                model_admin.log_addition(request, round_, [{"added": {}}])
                model_admin.message_user(
                    request,
                    gettext(
                        "Imported %(round)s: %(questions)d questions, %(picks)d picks, "
                        "%(answers)d answers."
                    )
                    % {
                        "round": round_.display_title,
                        "questions": confirm.summary.question_count,
                        "picks": confirm.summary.pick_count,
                        "answers": len(confirm.summary.answers),
                    },
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:qa_round_change", args=[round_.pk]))
        else:
            errors = confirm.errors["payload"]
    elif request.method == "POST":
        form = RoundImportForm(request.POST, request.FILES)
        if form.is_valid():
            return _render(
                model_admin,
                request,
                "admin/qa/round/import_preview.html",
                {
                    "title": gettext("Preview the import"),
                    "summary": form.summary,
                    "confirm": RoundImportConfirmForm(initial={"payload": form.payload()}),
                },
            )
    return _render(
        model_admin,
        request,
        "admin/qa/round/import_form.html",
        {"title": gettext("Import a round from Markdown"), "form": form, "errors": errors},
    )


def _render(model_admin, request, template, context):
    return TemplateResponse(
        request,
        template,
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "has_view_permission": model_admin.has_view_permission(request),
            **context,
        },
    )


# A group's whole repository as a .zip: the same upload → preview → confirm, with the archive
# kept in a private temporary folder between the two, since it is too large to sign.

ARCHIVE_MAX_BYTES = 100 * 1024 * 1024
HISTORY_SALT = "qa.history-import"


def _archive_folder():
    folder = Path(tempfile.gettempdir()) / "studyboard-imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _remove_stale_archives():
    """Archives whose preview was never confirmed go once their payload has expired."""
    cutoff = time.time() - PAYLOAD_MAX_AGE
    for path in _archive_folder().glob("*.zip"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass  # removed by another worker meanwhile


def _archive_path(token):
    # The token comes from a signed payload; the pattern keeps it a plain file name anyway.
    if not re.fullmatch(r"[0-9a-f]{32}", token):
        raise ValidationError(_("This preview was changed after it was made."), code="tampered")
    return _archive_folder() / f"{token}.zip"


def _history_plan(source, first_round):
    try:
        return plan_history_import(source, first_round=first_round)
    except HistoryError as err:
        raise ValidationError(str(err), code="invalid_history") from None


class HistoryImportForm(forms.Form):
    required_css_class = "required"

    archive = forms.FileField(
        label=_(".zip of the repository"),
        help_text=_(
            "GitHub's “Download ZIP” of the group's repository: round files, week folders "
            "(3주차/, week-03/, 2024-04-05/) or member folders."
        ),
    )
    first_round = forms.IntegerField(
        label=_("first round number"),
        min_value=1,
        required=False,
        help_text=_("Empty: the weeks' own numbers (3주차 is round 3)."),
    )

    def clean_archive(self):
        upload = self.cleaned_data["archive"]
        if upload.size > ARCHIVE_MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(limit)d MB."),
                code="too_large",
                params={"limit": ARCHIVE_MAX_BYTES // (1024 * 1024)},
            )
        return upload

    def clean(self):
        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data
        upload = cleaned_data["archive"]
        self.plan = _history_plan(upload, cleaned_data["first_round"])
        _remove_stale_archives()
        self.token = uuid4().hex
        upload.seek(0)
        with _archive_path(self.token).open("wb") as file:
            for chunk in upload.chunks():
                file.write(chunk)
        return cleaned_data

    def payload(self):
        return signing.dumps(
            {"token": self.token, "first_round": self.cleaned_data["first_round"]},
            salt=HISTORY_SALT,
        )


class HistoryConfirmForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput)
    accept_warnings = forms.BooleanField(
        label=_("I have read the warnings: import as shown"), required=False
    )

    def clean_payload(self):
        data = _signed_preview(self.cleaned_data["payload"], HISTORY_SALT)
        self.archive = _archive_path(data["token"])
        if not self.archive.exists():
            raise ValidationError(
                _("This preview has already been imported or has expired. Upload the file again."),
                code="gone",
            )
        self.plan = _history_plan(self.archive, data["first_round"])
        return self.cleaned_data["payload"]

    def clean(self):
        cleaned_data = super().clean()
        plan = getattr(self, "plan", None)
        if plan is not None and plan.warnings and not cleaned_data.get("accept_warnings"):
            raise ValidationError(
                _("The plan has warnings: read them, then tick the box to import anyway."),
                code="warnings",
            )
        return cleaned_data


def history_import_view(model_admin, request):
    """A repository's .zip → preview of every round (nothing written) → confirm (one transaction)."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form, errors = HistoryImportForm(), []
    if request.method == "POST" and "payload" in request.POST:
        confirm = HistoryConfirmForm(request.POST)
        if confirm.is_valid():
            try:
                rounds = save_plan(confirm.plan)
            except HistoryError as err:
                errors = [str(err)]
            else:
                confirm.archive.unlink(missing_ok=True)
                for round_ in rounds:
                    model_admin.log_addition(request, round_, [{"added": {}}])
                model_admin.message_user(
                    request, imported_message(confirm.plan, rounds), messages.SUCCESS
                )
                return redirect(reverse("admin:qa_round_changelist"))
        elif hasattr(confirm, "plan"):
            return _history_preview(model_admin, request, confirm.plan, confirm)
        else:
            errors = [e for field_errors in confirm.errors.values() for e in field_errors]
    elif request.method == "POST":
        form = HistoryImportForm(request.POST, request.FILES)
        if form.is_valid():
            confirm = HistoryConfirmForm(initial={"payload": form.payload()})
            return _history_preview(model_admin, request, form.plan, confirm)
    return _render(
        model_admin,
        request,
        "admin/qa/round/history_form.html",
        {"title": gettext("Import a repository (.zip)"), "form": form, "errors": errors},
    )


def _history_preview(model_admin, request, plan, confirm):
    return _render(
        model_admin,
        request,
        "admin/qa/round/history_preview.html",
        {"title": gettext("Preview the import"), "plan": plan, "confirm": confirm},
    )


def history_export_view(model_admin, request):
    """The whole board as a .zip in the week-folders layout, for curators."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in export_history().items():
            archive.writestr(f"studyboard/{name}", data)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="studyboard.zip"'
    return response
