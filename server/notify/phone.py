"""Citizens' phone numbers: Indonesian numbers normalised to E.164, and masked for staff.

``phonenumbers`` (58 modules) is imported at the first number checked, not when the hub starts:
most tickets carry no number (docs/benchmarks.md, "Hub: faster", third pass)."""

from __future__ import annotations

import re

_ALLOWED = re.compile(r"^\+?[0-9 ()\-.]{8,24}$")


class BadPhone(ValueError):
    """Not an Indonesian mobile number in a form we accept."""


def normalize(raw: str) -> str:
    """``0812-3456-7890``, ``+62 812 3456 7890`` or ``6281234567890`` → ``+6281234567890``.

    Only Indonesian mobile numbers (WhatsApp and SMS need one); anything else, including a
    foreign number or a landline, raises :class:`BadPhone`."""
    text = (raw or "").strip()
    if not _ALLOWED.match(text):
        raise BadPhone(raw)
    digits = re.sub(r"[^0-9]", "", text)
    if digits.startswith("62"):
        candidate = "+" + digits
    elif digits.startswith("0"):
        candidate = "+62" + digits[1:]
    else:
        raise BadPhone(raw)
    if text.startswith("+") and not digits.startswith("62"):
        raise BadPhone(raw)
    import phonenumbers

    try:
        number = phonenumbers.parse(candidate, "ID")
    except phonenumbers.NumberParseException:
        raise BadPhone(raw) from None
    if number.country_code != 62 or not phonenumbers.is_valid_number(number):
        raise BadPhone(raw)
    if phonenumbers.number_type(number) not in (phonenumbers.PhoneNumberType.MOBILE,
                                                 phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise BadPhone(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask(phone: str | None) -> str:
    """What staff and logs may see: the last four digits (``••••7890``)."""
    if not phone:
        return ""
    if "@" in phone:
        name, _, domain = phone.partition("@")
        return f"{name[:1]}•••@{domain}"
    return "••••" + phone[-4:]
