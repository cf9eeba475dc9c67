"""Case photos: checked by their bytes, stored all or nothing, served only inside the scope."""

import hashlib

import pytest

from concord.cases.attachments import attach_photos, check_photos, sniff_image
from concord.cases.models import Attachment
from concord.cases.tests.factories import CAOE, build_case
from concord.cases.tests.images import (
    JPEG_HEAD,
    WEBP_HEAD,
    big_png,
    jpeg,
    png,
    png_bytes,
    text_as_jpeg,
    upload,
)
from concord.core.errors import InvalidInput


def files_in(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def photographed_case(persona, *files, **draft):
    case = build_case(**draft)
    attach_photos(case=case, actor=persona("clerk"), photos=check_photos(list(files)))
    return case


def test_the_type_comes_from_the_bytes_not_the_name():
    assert sniff_image(png_bytes()) == "image/png"
    assert sniff_image(JPEG_HEAD) == "image/jpeg"
    assert sniff_image(WEBP_HEAD) == "image/webp"
    assert sniff_image(b"GIF89a") is None
    assert sniff_image(b"RIFF\x00\x00\x00\x00WAVE") is None
    assert sniff_image(b"") is None


def test_jpeg_png_and_webp_pass_and_keep_their_real_type():
    lying = upload("scan.pdf", png_bytes(), content_type="application/pdf")
    webp = upload("a.webp", WEBP_HEAD + b"\x00" * 20, content_type="image/png")
    photos = check_photos([jpeg(), webp, lying])
    assert [p.content_type for p in photos] == ["image/jpeg", "image/webp", "image/png"]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([text_as_jpeg()], "「notes.jpg」不是JPEG、PNG或WebP格式的照片"),
        ([big_png()], "「big.png」超过5MB（现为6.0MB）"),
        ([png(), png(), png(), png()], "最多上传3张照片（现为4张）"),
    ],
    ids=["renamed-text", "six-megabytes", "four-photos"],
)
def test_bad_photos_are_refused_with_a_clear_message(files, message):
    with pytest.raises(InvalidInput) as refused:
        check_photos(files)
    assert message in refused.value.errors["photos"]


def test_every_bad_file_is_named_at_once():
    with pytest.raises(InvalidInput) as refused:
        check_photos([png("ok.png"), text_as_jpeg("a.jpg"), text_as_jpeg("b.jpg")])
    message = refused.value.errors["photos"]
    assert "「a.jpg」" in message and "「b.jpg」" in message and "ok.png" not in message


def test_stored_photos_keep_name_type_size_and_hash(persona, media):
    case = photographed_case(persona, png("现场一.png"))
    stored = case.attachments.get()
    data = png_bytes()
    assert stored.original_name == "现场一.png" and stored.content_type == "image/png"
    assert stored.size == len(data) and stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.uploaded_by == persona("clerk")
    # Stored under a random name in attachments/<year>/<month>/, never the sender's name.
    assert stored.file.name.startswith("attachments/") and stored.file.name.endswith(".png")
    assert "现场" not in stored.file.name
    assert [p.read_bytes() for p in files_in(media)] == [data]


def test_a_failed_write_removes_the_files_already_written(persona, media, monkeypatch):
    case = build_case()
    saved = Attachment.save

    def fail_second(self, *args, **kwargs):
        if Attachment.objects.filter(case=case).exists():
            raise OSError("disk full")
        saved(self, *args, **kwargs)

    monkeypatch.setattr(Attachment, "save", fail_second)
    with pytest.raises(OSError):
        attach_photos(case=case, actor=persona("clerk"), photos=check_photos([png(), jpeg()]))
    assert files_in(media) == []


def test_the_photo_is_served_inline_with_its_checked_type(web, persona, media):
    case = photographed_case(persona, upload("现场.png", png_bytes(), "text/html"))
    photo = case.attachments.get()
    answer = web("dispatcher").get(f"/cases/{case.pk}/attachments/{photo.pk}")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/png"
    assert answer["Content-Disposition"].startswith("inline;")
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert b"".join(answer.streaming_content) == png_bytes()


def test_outside_the_scope_the_photo_does_not_exist(web, client, persona, media):
    case = photographed_case(persona, png())
    photo = case.attachments.get()
    url = f"/cases/{case.pk}/attachments/{photo.pk}"
    assert web("caoe").get(url).status_code == 404  # another town
    other = build_case(town=CAOE)
    assert web("dispatcher").get(f"/cases/{other.pk}/attachments/{photo.pk}").status_code == 404
    assert web("dispatcher").get(f"/cases/{case.pk}/attachments/{photo.pk + 99}").status_code == 404
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_a_missing_file_is_404_not_an_error(web, persona, media):
    case = photographed_case(persona, png())
    photo = case.attachments.get()
    photo.file.storage.delete(photo.file.name)
    assert web("dispatcher").get(f"/cases/{case.pk}/attachments/{photo.pk}").status_code == 404


def test_the_case_page_shows_thumbnails_only_when_there_are_photos(web, persona, media):
    case = photographed_case(persona, png(), jpeg())
    page = web("dispatcher").get(f"/cases/{case.pk}/").content.decode()
    assert "现场照片" in page
    for photo in case.attachments.all():
        assert f'<img src="/cases/{case.pk}/attachments/{photo.pk}"' in page
    bare = build_case()
    assert "现场照片" not in web("dispatcher").get(f"/cases/{bare.pk}/").content.decode()
