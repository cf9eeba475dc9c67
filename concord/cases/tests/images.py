"""Small real images for upload tests, made byte by byte (no imaging library needed)."""

import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile


def png_bytes(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (29, 78, 137)) -> bytes:
    """A valid PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


# The opening of a JPEG (SOI + JFIF APP0): enough for a check that reads the magic bytes.
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
WEBP_HEAD = b"RIFF\x24\x00\x00\x00WEBPVP8 "


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def png(name: str = "现场.png") -> SimpleUploadedFile:
    return upload(name, png_bytes())


def jpeg(name: str = "photo.jpg", size: int = 2048) -> SimpleUploadedFile:
    return upload(name, JPEG_HEAD + b"\x00" * (size - len(JPEG_HEAD)), "image/jpeg")


def text_as_jpeg(name: str = "notes.jpg") -> SimpleUploadedFile:
    return upload(name, "这不是图片，只是改了扩展名。".encode(), "image/jpeg")


def big_png(megabytes: int = 6) -> SimpleUploadedFile:
    """A PNG signature followed by padding: too big, whatever else it is."""
    data = png_bytes() + b"\x00" * (megabytes * 1024 * 1024)
    return upload("big.png", data)
