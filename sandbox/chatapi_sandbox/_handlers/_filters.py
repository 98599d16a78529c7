"""The search and filter of ``listContacts``, applied to the workspace's contacts.

Any request the schema accepts must get an answer, never a 500: a condition whose value
cannot be compared (a date that does not parse, a number that is text) matches nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .._state import Contact

__all__ = ["matches"]

# Contact filter fields: the API's name to the contact's attribute.
_FIELDS = {
    "id": "id",
    "firstName": "first_name",
    "lastName": "last_name",
    "email": "email",
    "phone": "phone",
    "language": "language",
    "countryCode": "country_code",
    "status": "status",
    "lifecycle": "lifecycle",
    "tags": "tags",
    "assigneeUserId": "assignee_id",
    "created_at": "created_at",
    "createdAt": "created_at",
}


def _field(contact: Contact, category: str, name: str | None) -> Any:
    if category == "contactTag":
        return contact.tags
    if category == "lifecycle":
        return contact.lifecycle
    if name in _FIELDS:
        return getattr(contact, _FIELDS[name])
    return contact.custom_fields.get(name or "")


def _timestamp(value: Any, zone: ZoneInfo) -> float:
    """Unix seconds from a number (seconds, or milliseconds when huge) or an ISO date."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value / 1000 if value > 100_000_000_000 else float(value)
    text = str(value)
    try:
        return _timestamp(float(text), zone)
    except ValueError:
        moment = datetime.fromisoformat(text)
        return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).timestamp()


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [str(item).lower() for item in items]


def _equal(actual: Any, expected: Any) -> bool:
    if isinstance(actual, list):
        return bool(set(_as_list(expected)) & set(_as_list(actual)))
    return actual is not None and str(actual).lower() in _as_list(expected)


def _condition(contact: Contact, condition: Mapping[str, Any], zone: ZoneInfo) -> bool:
    actual = _field(contact, condition["category"], condition.get("field"))
    operator, expected = condition["operator"], condition.get("value")
    present = actual not in (None, "", [])
    try:
        if operator == "exists":
            return present
        if operator == "doesNotExist":
            return not present
        if operator == "isEqualTo":
            return _equal(actual, expected)
        if operator == "isNotEqualTo":
            return not _equal(actual, expected)
        if operator in ("hasAnyOf", "hasAllOf", "hasNoneOf"):
            have, want = set(_as_list(actual)), set(_as_list(expected))
            if operator == "hasAnyOf":
                return bool(have & want)
            return want <= have if operator == "hasAllOf" else not have & want
        if not present:
            return False
        if operator.startswith("isTimestamp"):
            number = _timestamp(actual, zone)
            bounds = expected if isinstance(expected, Mapping) else {}
            if operator == "isTimestampAfter":
                return number > _timestamp(expected, zone)
            if operator == "isTimestampBefore":
                return number < _timestamp(expected, zone)
            low, high = _timestamp(bounds["from"], zone), _timestamp(bounds["to"], zone)
            return low <= number <= high
        number = float(actual)
        if operator in ("isGreaterThan", "isLessThan") and isinstance(expected, str | int | float):
            bound = float(expected)
            return number > bound if operator == "isGreaterThan" else number < bound
        if isinstance(expected, Mapping):  # isBetween
            return float(expected["from"]) <= number <= float(expected["to"])
    except (ValueError, TypeError, KeyError, OverflowError):
        return False
    return False


def _zone(name: Any) -> ZoneInfo:
    try:
        return ZoneInfo(str(name)) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo("UTC")


def matches(contact: Contact, request: Mapping[str, Any]) -> bool:
    """Whether ``contact`` matches a ContactListRequest's ``search`` and ``filter``."""
    search = str(request.get("search") or "").strip().lower()
    if search:
        names = [contact.first_name, contact.last_name, contact.email, contact.phone]
        full = f"{contact.first_name} {contact.last_name or ''}".strip()
        if not any(search in (text or "").lower() for text in [*names, full]):
            return False
    zone = _zone(request.get("timezone"))
    conditions_filter: Mapping[str, Any] = request.get("filter") or {}
    if "$and" in conditions_filter:
        return all(_condition(contact, c, zone) for c in conditions_filter["$and"])
    if conditions_filter.get("$or"):
        return any(_condition(contact, c, zone) for c in conditions_filter["$or"])
    return True  # an empty $or, or no condition list at all, matches every contact
