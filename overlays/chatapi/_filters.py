"""Contact filters people can write: ``all_of(tag_is_any_of("vip"))``, ``all_contacts()``.

A filter of ``client.contacts.list`` is ``ContactFilter(and_=[...])`` (every condition
holds) or ``ContactFilter(or_=[...])`` (one holds) of ``FilterCondition``s; an empty list
matches every contact. ``filter_problem`` says why a filter would be refused or match
nothing, so the client refuses it before spending a rate-limited call.
"""

from __future__ import annotations

from typing import Any

from chatapi_client.models import ContactFilter, ContactListRequest, FilterCondition
from chatapi_client.models.filter_condition_operator import FilterConditionOperator
from chatapi_client.types import Unset

__all__ = [
    "all_contacts",
    "all_of",
    "any_of",
    "field_equals",
    "filter_problem",
    "tag_is_any_of",
]

_NO_VALUE: frozenset[FilterConditionOperator] = frozenset({"exists", "doesNotExist"})


def all_contacts() -> ContactFilter:
    """The filter that matches every contact: ``{"$and": []}``."""
    return ContactFilter(and_=[])


def all_of(*conditions: FilterCondition) -> ContactFilter:
    """Contacts for which every condition holds (``$and``); none given: every contact."""
    return ContactFilter(and_=list(conditions))


def any_of(*conditions: FilterCondition) -> ContactFilter:
    """Contacts for which at least one condition holds (``$or``)."""
    if not conditions:
        raise ValueError("any_of() needs at least one condition; all_contacts() matches all")
    return ContactFilter(or_=list(conditions))


def tag_is_any_of(*tags: str) -> FilterCondition:
    """Contacts carrying at least one of ``tags``.

    Raises:
        ValueError: no tag, or an empty one (the API would match no contact).
    """
    if not tags or not all(tag.strip() for tag in tags):
        raise ValueError('tag_is_any_of() needs one or more non-empty tags, e.g. ("vip",)')
    return FilterCondition(
        category="contactTag", field="tags", operator="hasAnyOf", value=list(tags)
    )


def field_equals(field: str, value: str) -> FilterCondition:
    """Contacts whose ``field`` (``firstName``, ``email``, ``status``...) equals ``value``."""
    if not field:
        raise ValueError('field_equals() needs a field name, e.g. ("firstName", "Aisha")')
    return FilterCondition(category="contactField", field=field, operator="isEqualTo", value=value)


def filter_problem(body: Any) -> str | None:
    """Why a listContacts body's filter would be refused or match nothing, else None.

    ``body`` is the JSON document of a ``ContactListRequest``. A body that does not decode
    as one is left to the server, which says what is wrong with it.
    """
    try:
        request = ContactListRequest.from_dict(body)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    contact_filter = request.filter_
    if isinstance(contact_filter.and_, Unset) and isinstance(contact_filter.or_, Unset):
        return (
            "the contact filter is empty: give and_ (every condition holds) or or_ (one"
            " holds); for every contact write chatapi.all_contacts(), i.e."
            " ContactFilter(and_=[])"
        )
    conditions = [
        *([] if isinstance(contact_filter.and_, Unset) else contact_filter.and_),
        *([] if isinstance(contact_filter.or_, Unset) else contact_filter.or_),
    ]
    for number, condition in enumerate(conditions, 1):
        empty = isinstance(condition.value, Unset) or condition.value in (None, "", [])
        if condition.category == "contactTag" and condition.operator not in _NO_VALUE and empty:
            return (
                f"condition {number} of the contact filter looks at tags with"
                f" {condition.operator} but gives no tag, so it would match no contact: give"
                ' value=["vip", ...], e.g. chatapi.tag_is_any_of("vip")'
            )
    return None
