"""Photos kept with a case: checked by their bytes, stored beside the case, served in scope.

A file is an image only if its first bytes say so: the name and the type the browser sends are
the sender's word, and a renamed text file or script would otherwise be handed to other users'
browsers as a picture.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from concord.accounts.models import User
from concord.core.errors import InvalidInput

from .models import Attachment, Case

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTOS_MAX = 3
NAME_MAX = Attachment._meta.get_field("original_name").max_length
_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


@dataclass(frozen=True)
class Photo:
    """An upload that passed the checks, with the type its bytes declare."""

    upload: UploadedFile
    content_type: str


def sniff_image(head: bytes) -> str | None:
    """The image type the leading bytes declare: JPEG, PNG or WebP, else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_photos(files: Sequence[UploadedFile], *, field: str = "photos") -> list[Photo]:
    """Every file must be a JPEG, PNG or WebP of at most 5 MB, and there may be at most three;
    otherwise InvalidInput names each bad file under `field`, and nothing is kept."""
    if len(files) > PHOTOS_MAX:
        raise InvalidInput(
            {
                field: _("最多上传%(max)d张照片（现为%(count)d张）")
                % {"max": PHOTOS_MAX, "count": len(files)}
            }
        )
    problems, photos = [], []
    for upload in files:
        name = os.path.basename(upload.name or "") or _("未命名文件")
        if upload.size > PHOTO_MAX_BYTES:
            problems.append(
                _("「%(name)s」超过%(max)dMB（现为%(size).1fMB）")
                % {
                    "name": name,
                    "max": PHOTO_MAX_BYTES // (1024 * 1024),
                    "size": upload.size / (1024 * 1024),
                }
            )
            continue
        upload.seek(0)
        content_type = sniff_image(upload.read(12))
        upload.seek(0)
        if content_type is None:
            problems.append(_("「%(name)s」不是JPEG、PNG或WebP格式的照片") % {"name": name})
            continue
        photos.append(Photo(upload, content_type))
    if problems:
        raise InvalidInput(
            {field: pgettext("separator between error messages", "；").join(problems)}
        )
    return photos


def attach_photos(*, case: Case, actor: User, photos: Sequence[Photo]) -> list[Attachment]:
    """Store checked photos with the case, inside the caller's transaction.

    The file is written under a random name (the original is kept as data only); if a later
    write fails, the files already written are removed before the error goes up, so a refused
    report leaves nothing on disk. Files written before a rollback elsewhere are the caller's
    to remove (`discard_files`)."""
    stored: list[Attachment] = []
    try:
        for photo in photos:
            upload = photo.upload
            digest = hashlib.sha256()
            upload.seek(0)
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            attachment = Attachment(
                case=case,
                original_name=os.path.basename(upload.name or "")[:NAME_MAX],
                content_type=photo.content_type,
                size=upload.size,
                sha256=digest.hexdigest(),
                uploaded_by=actor,
            )
            attachment.file.save(
                uuid.uuid4().hex + _EXTENSIONS[photo.content_type], upload, save=False
            )
            stored.append(attachment)
            attachment.save()
    except BaseException:
        discard_files(stored)
        raise
    return stored


def discard_files(attachments: Sequence[Attachment]) -> None:
    """Remove the stored files of attachments whose rows did not survive (a rollback)."""
    for attachment in attachments:
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
