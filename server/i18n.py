"""Indonesian first, English available: message catalogues and the request's language.

Each part registers its own strings with :func:`register`; templates call ``_("key")``.
Indonesian follows KBBI spelling (antrean, silakan)."""

from __future__ import annotations

from typing import Any

LANGUAGES = ("id", "en")
_CATALOG: dict[str, dict[str, str]] = {}


def register(messages: dict[str, dict[str, str]]) -> None:
    """Add ``{key: {"id": ..., "en": ...}}``; every key needs both languages."""
    for key, texts in messages.items():
        missing = [lang for lang in LANGUAGES if lang not in texts]
        if missing:
            raise ValueError(f"message {key!r} lacks {missing}")
        _CATALOG[key] = texts


def translate(key: str, lang: str = "id", **params: Any) -> str:
    texts = _CATALOG.get(key)
    if texts is None:
        return key
    text = texts.get(lang) or texts["id"]
    return text.format_map(_Blank(params)) if "{" in text else text


class _Blank(dict[str, Any]):
    """Format parameters where a missing one renders empty rather than raising."""

    def __missing__(self, key: str) -> str:
        return ""


def catalog(lang: str, prefix: str = "") -> dict[str, str]:
    """All messages of one language (optionally under a prefix), for pages' scripts."""
    return {
        key: texts.get(lang, texts["id"])
        for key, texts in _CATALOG.items()
        if key.startswith(prefix)
    }


register(
    {
        "error.bad_request": {
            "id": "Permintaan tidak valid: {reason}",
            "en": "Bad request: {reason}",
        },
        "error.unknown_service": {
            "id": "Layanan {service} tidak dikenal.",
            "en": "Unknown service {service}.",
        },
        "error.closed": {
            "id": "Layanan {service} sedang tutup{reason}. Buka kembali {next_opening}.",
            "en": "Service {service} is closed now{reason}. It opens again {next_opening}.",
        },
        "error.paused": {
            "id": "Pengambilan nomor antrean {service} sedang dihentikan sementara.",
            "en": "Tickets for {service} are paused for now.",
        },
        "error.quota_full": {
            "id": "Kuota harian layanan {service} ({quota} nomor) sudah habis. "
            "Silakan datang lagi besok.",
            "en": "Today's quota for {service} ({quota} tickets) is full. "
            "Please come back tomorrow.",
        },
        "error.unknown_counter": {
            "id": "Loket {counter} tidak dikenal.",
            "en": "Unknown counter {counter}.",
        },
        "error.unknown_action": {
            "id": "Perintah {action} tidak dikenal.",
            "en": "Unknown action {action}.",
        },
        "error.empty": {
            "id": "Tidak ada antrean untuk {counter}.",
            "en": "Nobody is waiting for {counter}.",
        },
        "error.no_current": {
            "id": "{counter} sedang tidak melayani nomor antrean.",
            "en": "{counter} is not serving a ticket.",
        },
        "error.counter_closed": {
            "id": "{counter} sedang tutup.",
            "en": "{counter} is closed.",
        },
        "error.same_service": {
            "id": "Nomor antrean sudah berada di layanan {service}.",
            "en": "The ticket is already in service {service}.",
        },
        "error.unauthorized": {
            "id": "Perlu token atau login yang sah.",
            "en": "A valid token or login is required.",
        },
        "error.forbidden": {
            "id": "Anda tidak berwenang untuk tindakan ini.",
            "en": "You are not allowed to do this.",
        },
        "error.not_found": {"id": "Tidak ditemukan.", "en": "Not found."},
        "error.method_not_allowed": {"id": "Metode tidak diizinkan.", "en": "Method not allowed."},
        "error.too_large": {
            "id": "Permintaan terlalu besar.",
            "en": "The request is too large.",
        },
        "error.rate_limited": {
            "id": "Terlalu banyak permintaan. Silakan tunggu sebentar lalu coba lagi.",
            "en": "Too many requests. Please wait a moment and try again.",
        },
        "error.csrf": {
            "id": "Sesi formulir kedaluwarsa. Muat ulang halaman lalu coba lagi.",
            "en": "The form's session expired. Reload the page and try again.",
        },
        "error.internal": {
            "id": "Terjadi kesalahan pada server.",
            "en": "The server had an error.",
        },
        "time.tomorrow": {"id": "besok", "en": "tomorrow"},
        "time.at": {"id": "pukul {time}", "en": "at {time}"},
        "time.unknown": {"id": "pada hari kerja berikutnya", "en": "on the next working day"},
    }
)
