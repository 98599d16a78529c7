"""Contact identifiers built from what a program holds: ``contact_phone("+60 12-345 6789")``.

The API addresses a contact as ``id:<number>``, ``email:<address>`` or ``phone:+<digits>``
(E.164). These helpers build that form and check it against the description's
``ContactIdentifier`` pattern, refusing with a sentence and an example what the API would
refuse, before any call is spent on it.
"""

from __future__ import annotations

import re

from ._request_check import example_of
from ._response_check import default_response_check

__all__ = ["contact_email", "contact_id", "contact_phone"]

_IDENTIFIER = "#/components/schemas/ContactIdentifier"
_PHONE_SEPARATORS = re.compile(r"[\s().\-]")


def contact_id(contact_id: int) -> str:
    """``id:<contact_id>``, for a contact's numeric id (``Contact.id``)."""
    if isinstance(contact_id, bool) or not isinstance(contact_id, int):
        raise TypeError(f"a contact id is an integer, e.g. 123 (got {contact_id!r})")
    return _checked(f"id:{contact_id}", "a contact id is a positive integer")


def contact_email(address: str) -> str:
    """``email:<address>``, surrounding spaces dropped."""
    return _checked(f"email:{address.strip()}", f"{address[:60]!r} is not an email address")


def contact_phone(number: str) -> str:
    """``phone:+<digits>`` from an E.164 number; spaces, dashes, dots and brackets are dropped.

    Raises:
        ValueError: not ``+`` and the digits once separators are dropped (a national number
            without its country code, letters).
    """
    digits = _PHONE_SEPARATORS.sub("", number)
    return _checked(
        f"phone:{digits}", f"{number[:40]!r} is not an E.164 phone number (+ and the country code)"
    )


def _checked(identifier: str, problem: str) -> str:
    if default_response_check().schemas.first_error(_IDENTIFIER, identifier) is None:
        return identifier
    raise ValueError(f"{problem}: use e.g. {example_of(_IDENTIFIER, identifier)}")
