"""The vendor's own client, its published n8n node, works against the sandbox.

``@respond-io/n8n-nodes-respond-io`` (pinned in package.json) is driven through a small fake
of n8n's execution context (n8n/fake_context.js) for every action it offers and every
option loader that calls the API: each request it builds must be accepted (2xx), and each
answer handled without an exception. The sandbox validates every request against the
description and every answer it gives, so a pass here means the description accepts what
the vendor's client sends and describes answers that client can use.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conformance.conftest import HERE
from tests.conformance.scenarios import RICH_TEMPLATE, SCENARIOS, TEMPLATE, Scenario

PACKAGE = "@respond-io/n8n-nodes-respond-io"
PINNED = "1.3.6"
LOADERS_WITHOUT_API_CALL = {"getEventSources"}  # the trigger's event list, a constant


def _requests(result: dict[str, Any]) -> list[str]:
    return [f"{e['method']} {urlsplit(e['path']).path}" for e in result["exchanges"]]


def _sent(result: dict[str, Any], method: str, path: str) -> Any:
    """The body of the request ``method path`` the scenario made."""
    for exchange in result["exchanges"]:
        if (exchange["method"], urlsplit(exchange["path"]).path) == (method, path):
            return exchange["requestBody"]
    raise AssertionError(f"no {method} {path} in {_requests(result)}")


def test_the_pinned_release_is_driven(node_listing: dict[str, Any]) -> None:
    package_json = json.loads((HERE.parents[1] / "package.json").read_text(encoding="utf-8"))
    assert package_json["devDependencies"][PACKAGE] == PINNED
    assert node_listing["package"] == PINNED


def test_every_action_the_node_offers_has_a_scenario(node_listing: dict[str, Any]) -> None:
    offered = {(r, op) for r, ops in node_listing["actions"].items() for op in ops}
    covered = {s.action for s in SCENARIOS if s.action is not None}
    assert offered == covered
    assert len(offered) == 26


def test_every_option_loader_that_calls_the_api_has_a_scenario(
    node_listing: dict[str, Any],
) -> None:
    for kind in ("loadOptions", "resourceMapping"):
        offered = set(node_listing[kind]) - LOADERS_WITHOUT_API_CALL
        assert offered == {s.method for s in SCENARIOS if s.kind == kind}, kind


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario_is_accepted_and_its_answers_handled(
    scenario: Scenario, results: dict[str, dict[str, Any]]
) -> None:
    result = results[scenario.id]
    refused = [
        f"{e['method']} {e['path']} -> {e.get('status')}: {e.get('responseBody')}"
        for e in result["exchanges"]
        if not 200 <= e.get("status", 0) <= 299
    ]
    assert not refused, refused
    assert result["error"] is None, result["error"]
    made = _requests(result)
    for request in scenario.requests:
        assert request in made, (request, made)
    if scenario.kind == "execute":
        assert result["output"], "the action returned no item"
        assert all(item["error"] is None for item in result["output"]), result["output"]


def test_every_list_field_offers_its_values(results: dict[str, dict[str, Any]]) -> None:
    """The node offers the values of every list field the sandbox serves, seeded or created.

    The node reads them from ``allowedValues.listValues`` only (its custom-field resource
    mapping); a bare array would reach it as a field with no values to pick.
    """
    fields = {f["id"]: f for f in results["resourceMapping/getCustomFields"]["output"]["fields"]}
    served = [item["json"] for item in results["CONTACT_FIELDS/GET_ALL_CUSTOM_FIELDS"]["output"]]
    lists = [field for field in served if field["dataType"] == "list"]
    assert {"plan", "source"} <= {field["slug"] for field in lists}  # the seeded ones
    for field in lists:
        values = field["allowedValues"]["listValues"]
        options = [o["value"] for o in fields[field["slug"]]["options"]]
        assert options == values, field["slug"]
        assert options, field["slug"]


def test_template_sends_fill_the_placeholders(results: dict[str, dict[str, Any]]) -> None:
    simple = _sent(
        results["MESSAGES/SEND_MESSAGE/whatsapp_template"], "POST", "/v2/contact/id:123/message"
    )
    assert simple["message"]["template"]["name"] == "order_update"
    assert simple["message"]["template"]["components"] == [
        {"type": "body", "text": "Your order {{1}} has shipped.", "parameters": [
            {"type": "text", "text": "#10234"}
        ]}
    ]  # fmt: skip
    rich = _sent(
        results["MESSAGES/SEND_MESSAGE/whatsapp_template-rich"],
        "POST",
        "/v2/contact/id:123/message",
    )
    by_type = {c["type"]: c for c in rich["message"]["template"]["components"]}
    assert set(by_type) == {"header", "body", "footer", "buttons"}
    assert [p["text"] for p in by_type["body"]["parameters"]] == ["Aisha", "MY-10234"]
    assert by_type["header"]["parameters"][0]["image"]["link"].endswith("/parcel.jpg")
    assert by_type["buttons"]["buttons"][0]["parameters"] == [{"type": "text", "text": "MY-10234"}]
    catalog = _sent(
        results["MESSAGES/SEND_MESSAGE/whatsapp_template-catalog"],
        "POST",
        "/v2/contact/id:123/message",
    )
    button = catalog["message"]["template"]["components"][-1]["buttons"][0]
    assert button["type"] == "catalog"
    action = button["parameters"][0]["action"]
    assert action["thumbnail_product_retailer_id"] == "SKU-RAIN-01"
    assert action["sections"][0]["product_items"][0]["product_retailer_id"] == "SKU-RAIN-01"


def test_template_pickers_list_the_channels_templates(results: dict[str, dict[str, Any]]) -> None:
    options = results["loadOptions/getWhatsappTemplates"]["output"]
    assert TEMPLATE in [o["value"] for o in options]
    assert RICH_TEMPLATE in [o["value"] for o in options]
    preview = results["loadOptions/getTemplatePreviewOptions"]["output"]
    assert {o["value"] for o in preview} == {"body", "footer"}  # the header is an image


def test_the_email_goes_out_as_the_node_builds_it(results: dict[str, dict[str, Any]]) -> None:
    sent = _sent(results["MESSAGES/SEND_MESSAGE/email"], "POST", "/v2/contact/id:123/message")
    assert sent["message"]["message"] == "Your invoice is attached."
    assert sent["message"]["replyToMessageId"] == "987654"
