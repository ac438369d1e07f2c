"""Self-test of openapi_validator.py: the reference document's own examples pass,
broken bodies fail with messages that say where and why.

Needs no sandbox. Run: cd tests/conformance && python3 -m unittest -v test_openapi_validator
"""

from __future__ import annotations

import copy
import json
import os
import re
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import openapi_validator as ov  # noqa: E402
from openapi_validator import OpenApiError, OpenApiSpec, SchemaValidationFailure  # noqa: E402


def reference_doc_path() -> str:
    env = os.environ.get("NADAJNIK_ALLEGRO_API_DOC")
    if env:
        return env
    return os.path.join(os.path.dirname(ov.default_spec_path()), "allegro-api.md")


def doc_json_blocks() -> list:
    """[(section heading, parsed JSON or the raw text when it is not one document)] in document order."""
    with open(reference_doc_path(), encoding="utf-8") as f:
        md = f.read()
    out = []
    heading = ""
    pattern = re.compile(r"^(#{1,6} [^\n]*)$|^[ \t]*```json[ \t]*\n(.*?)^[ \t]*```", re.M | re.S)
    for m in pattern.finditer(md):
        if m.group(1):
            heading = m.group(1).lstrip("#").strip()
            continue
        text = m.group(2)
        try:
            out.append((heading, json.loads(text)))
        except ValueError:
            out.append((heading, text))
    return out


def doc_inline_json(section_prefix: str) -> list:
    """Inline `{...}` code spans that are valid JSON, from the section whose heading starts with the prefix."""
    with open(reference_doc_path(), encoding="utf-8") as f:
        md = f.read()
    out = []
    heading = ""
    for line in md.split("\n"):
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        if not heading.startswith(section_prefix):
            continue
        for m in re.finditer(r"`(\{[^`]*\})`", line):
            try:
                out.append(json.loads(m.group(1)))
            except ValueError:
                pass
    return out


def doc_block(section_prefix: str, index: int = 0):
    found = [body for heading, body in doc_json_blocks() if heading.startswith(section_prefix)]
    if len(found) <= index:
        raise AssertionError(f"allegro-api.md has no JSON example #{index} in a section starting {section_prefix!r}")
    return copy.deepcopy(found[index])


class SpecLoading(unittest.TestCase):
    def test_loads_once_and_reports_time(self):
        t0 = time.perf_counter()
        spec = OpenApiSpec.shared()
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = OpenApiSpec.shared()
        self.assertIs(spec, again, "OpenApiSpec.shared() must reuse the loaded file")
        self.assertLess(time.perf_counter() - t0, 0.05)
        sys.stderr.write(f"\n[openapi] {spec.describe_load()} (first shared() call {first:.3f}s)\n")
        self.assertGreater(len(spec.raw["paths"]), 100)
        self.assertIn("CheckoutForm", spec.definitions["schemas"])

    def test_json_cache_round_trip(self):
        path = ov.default_spec_path()
        with tempfile.TemporaryDirectory() as tmp:
            raw1, s1, cached1 = ov.load_raw_spec(path, tmp)
            raw2, s2, cached2 = ov.load_raw_spec(path, tmp)
            self.assertFalse(cached1)
            self.assertTrue(cached2, "second load must come from the JSON cache")
            self.assertEqual(raw1, raw2)
            sys.stderr.write(f"\n[openapi] YAML {s1:.3f}s, JSON cache {s2:.3f}s\n")

    def test_every_ref_resolves(self):
        spec = OpenApiSpec.shared()
        refs: set = set()
        ov._all_refs(spec.definitions["schemas"], refs)
        dangling = [r for r in refs if not ov._resolves(spec, r)]
        self.assertEqual(dangling, [])

    def test_missing_file_is_a_clear_error(self):
        with self.assertRaisesRegex(OpenApiError, "NADAJNIK_ALLEGRO_OPENAPI"):
            ov.load_raw_spec("/nonexistent/allegro-openapi.yaml")


class PathMatching(unittest.TestCase):
    spec: OpenApiSpec

    @classmethod
    def setUpClass(cls):
        cls.spec = OpenApiSpec.shared()

    def test_literal_segments_beat_parameters(self):
        self.assertEqual(self.spec.match_path("/order/carriers/ALLEGRO/points"), "/order/carriers/ALLEGRO/points")
        self.assertEqual(
            self.spec.match_path("/order/carriers/INPOST/tracking?waybill=1"), "/order/carriers/{carrierId}/tracking"
        )
        self.assertEqual(self.spec.match_path("/sale/offers/promo-options"), "/sale/offers/promo-options")
        self.assertEqual(self.spec.match_path("/sale/offers/123/tags"), "/sale/offers/{offerId}/tags")

    def test_concrete_paths(self):
        op = self.spec.operation("put", "/order/checkout-forms/29738e61-7f6a-11e8-ac45-09db60ede9d6/fulfillment")
        self.assertEqual(op.template, "/order/checkout-forms/{id}/fulfillment")
        self.assertEqual(op.operation_id, "setOrderFulfillmentUsingPUT")

    def test_unknown_path_and_method(self):
        with self.assertRaisesRegex(OpenApiError, "no path"):
            self.spec.operation("GET", "/no/such/thing")
        with self.assertRaisesRegex(OpenApiError, "DELETE /order/events is not in the OpenAPI file"):
            self.spec.operation("DELETE", "/order/events")

    def test_parameters_are_resolved(self):
        names = {p["name"] for p in self.spec.parameters("GET", "/order/checkout-forms")}
        for n in ("offset", "limit", "status", "fulfillment.status", "updatedAt.gte", "lineItems.boughtAt.lte"):
            self.assertIn(n, names)


class ReferenceDocExamples(unittest.TestCase):
    """Every JSON example in allegro-api.md must pass: the doc was assembled from the file."""

    spec: OpenApiSpec

    @classmethod
    def setUpClass(cls):
        cls.spec = OpenApiSpec.shared(nulls="optional", forbid_undeclared=True)

    def test_1_3_device_code_response(self):
        self.spec.validate_schema("oauth/DeviceCodeResponse", doc_block("1.3"))

    def test_1_4_token_response(self):
        self.spec.validate_schema("oauth/TokenResponse", doc_block("1.4"))

    def test_1_6_oauth_errors(self):
        bodies = doc_inline_json("1.6") + doc_inline_json("1.3")
        self.assertGreaterEqual(len(bodies), 3)
        for body in bodies:
            self.spec.validate_schema("oauth/OAuthError", body)

    def test_1_7_api_auth_errors(self):
        bodies = doc_inline_json("1.7")
        auth = [b for b in bodies if "error" in b]
        self.assertEqual(len(auth), 3)
        for body in auth:
            self.spec.validate_response("GET", "/order/events", 401, body)
            self.spec.validate_response("GET", "/order/checkout-forms/x/shipments", 401, body)
        access_denied = [b for b in bodies if "code" in b]
        self.spec.validate_response("GET", "/order/events", 403, {"errors": access_denied})

    def test_2_1_order_events(self):
        r = self.spec.validate_response("GET", "/order/events", 200, doc_block("2.1"))
        self.assertEqual(r.schema_ref, "#/components/schemas/OrderEventsList")
        self.assertEqual(r.schema_source, "operation")

    def test_2_3_event_stats(self):
        self.spec.validate_response("GET", "/order/event-stats", 200, doc_block("2.3"))

    def test_3_3_checkout_form_and_list(self):
        form = doc_block("3.3")
        self.spec.validate_response("GET", f"/order/checkout-forms/{form['id']}", 200, form)
        self.spec.validate_response(
            "GET", "/order/checkout-forms", 200, {"checkoutForms": [form], "count": 1, "totalCount": 1}
        )

    def test_4_1_fulfillment_request(self):
        self.spec.validate_request("PUT", "/order/checkout-forms/x/fulfillment", doc_block("4.1"))

    def test_4_2_waybill_request_and_created(self):
        self.spec.validate_request("POST", "/order/checkout-forms/x/shipments", doc_block("4.2"))
        created = doc_inline_json("4.2")
        self.assertEqual(len(created), 1)
        self.spec.validate_response("POST", "/order/checkout-forms/x/shipments", 201, created[0])

    def test_4_5_tracking(self):
        body = doc_inline_json("4.5")[0]
        # The doc elides timestamps as "..."; put real ones in to let format checks run.
        details = body["waybills"][0]["trackingDetails"]
        details["createdAt"] = details["updatedAt"] = "2024-01-10T10:12:32.321Z"
        details["statuses"][0]["occurredAt"] = "2024-01-10T10:12:32.321Z"
        self.spec.validate_response("GET", "/order/carriers/ALLEGRO/tracking", 200, body)

    def test_4_6_invoice_metadata(self):
        request, created = doc_inline_json("4.6")[:2]
        self.spec.validate_request("POST", "/order/checkout-forms/x/invoices", request)
        self.spec.validate_response("POST", "/order/checkout-forms/x/invoices", 201, created)

    def test_5_1_delivery_services(self):
        self.spec.validate_response("GET", "/shipment-management/delivery-services", 200, doc_block("5.1"))

    def test_5_2_create_command_and_status(self):
        self.spec.validate_request("POST", "/shipment-management/shipments/create-commands", doc_block("5.2", 0))
        statuses = doc_block("5.2", 1)  # three JSON documents one after another
        lines, pos, decoder = [], 0, json.JSONDecoder()
        while pos < len(statuses):
            if statuses[pos].isspace():
                pos += 1
                continue
            doc, pos = decoder.raw_decode(statuses, pos)
            lines.append(doc)
        self.assertEqual([s["status"] for s in lines], ["IN_PROGRESS", "SUCCESS", "ERROR"])
        for s in lines:
            self.spec.validate_response("GET", "/shipment-management/shipments/create-commands/x", 200, s)

    def test_5_4_label_and_5_5_cancel_requests(self):
        label = doc_inline_json("5.4")[0]
        self.spec.validate_request("POST", "/shipment-management/label", label)
        cancel = doc_inline_json("5.5")[0]
        self.spec.validate_request("POST", "/shipment-management/shipments/cancel-commands", cancel)

    def test_6_2_and_6_3_stock_requests(self):
        self.spec.validate_request("PATCH", "/sale/product-offers/123", doc_block("6.2"))
        self.spec.validate_request("PUT", "/sale/offer-quantity-change-commands/x", doc_block("6.3"))

    def test_7_1_errors_holder(self):
        body = doc_block("7.1")
        self.spec.validate_response("GET", "/order/checkout-forms", 422, body)
        # The same body is the documented shape for error statuses the file lists without content.
        r = self.spec.validate_response("GET", "/order/events", 422, body)
        self.assertEqual(r.schema_source, "fallback")


class NullPolicy(unittest.TestCase):
    def test_strict_nulls_reject_the_docs_checkout_form(self):
        """Why the default is nulls='optional': the file types companyName etc. as plain strings."""
        strict = OpenApiSpec.shared(nulls="strict")
        form = doc_block("3.3")
        with self.assertRaises(SchemaValidationFailure) as cm:
            strict.validate_response("GET", f"/order/checkout-forms/{form['id']}", 200, form)
        self.assertIn("at /buyer/companyName: None is not of type 'string'", str(cm.exception))

    def test_nullable_true_is_honoured_even_when_strict(self):
        strict = OpenApiSpec.shared(nulls="strict")
        strict.validate_schema("Error", {"code": "X", "message": "m", "details": None, "path": None})

    def test_required_properties_may_not_be_null(self):
        spec = OpenApiSpec.shared()
        form = doc_block("3.3")
        form["buyer"]["email"] = None
        with self.assertRaisesRegex(SchemaValidationFailure, r"at /buyer/email: None is not of type 'string'"):
            spec.validate_response("GET", "/order/checkout-forms/x", 200, form)


class Errata(unittest.TestCase):
    def test_empty_checkout_form_page_is_valid(self):
        """The file's CheckoutForms has count/totalCount minimum 1; an empty page must still pass."""
        spec = OpenApiSpec.shared()
        self.assertEqual(len(spec.errata_applied), len(ov.SPEC_ERRATA))
        empty = {"checkoutForms": [], "count": 0, "totalCount": 0}
        spec.validate_response("GET", "/order/checkout-forms", 200, empty)
        as_is = OpenApiSpec(spec.raw, apply_errata=False)
        with self.assertRaisesRegex(SchemaValidationFailure, "at /count: 0 is less than the minimum of 1"):
            as_is.validate_response("GET", "/order/checkout-forms", 200, empty)
        # The shared raw document is not modified by the errata.
        self.assertEqual(spec.raw["components"]["schemas"]["CheckoutForms"]["properties"]["count"]["minimum"], 1)


class FailureMessages(unittest.TestCase):
    spec: OpenApiSpec

    @classmethod
    def setUpClass(cls):
        cls.spec = OpenApiSpec.shared()

    def failure(self, *args, **kwargs) -> str:
        with self.assertRaises(SchemaValidationFailure) as cm:
            self.spec.validate_response(*args, **kwargs)
        return str(cm.exception)

    def test_missing_required_property(self):
        form = doc_block("3.3")
        del form["summary"]
        msg = self.failure("GET", "/order/checkout-forms/x", 200, form)
        self.assertIn("GET /order/checkout-forms/{id} (getOrdersDetailsUsingGET) -> 200", msg)
        self.assertIn("#/components/schemas/CheckoutForm", msg)
        self.assertIn("at (root): 'summary' is a required property", msg)

    def test_wrong_type_names_pointer_and_value(self):
        events = doc_block("2.1")
        events["events"][0]["order"]["lineItems"][0]["quantity"] = "one"
        msg = self.failure("GET", "/order/events", 200, events)
        self.assertIn("at /events/0/order/lineItems/0/quantity: 'one' is not of type", msg)
        self.assertIn('[value: "one"]', msg)

    def test_enum(self):
        form = doc_block("3.3")
        form["status"] = "PAID"
        msg = self.failure("GET", "/order/checkout-forms/x", 200, form)
        self.assertIn("at /status: 'PAID' is not one of", msg)

    def test_enum_inside_nullable_ref(self):
        form = doc_block("3.3")
        form["fulfillment"]["status"] = "SHIPPED"
        msg = self.failure("GET", "/order/checkout-forms/x", 200, form)
        self.assertIn("at /fulfillment/status: 'SHIPPED' is not one of", msg)

    def test_long_values_are_truncated(self):
        form = doc_block("3.3")
        form["lineItems"][0]["quantity"] = "x" * 5000
        msg = self.failure("GET", "/order/checkout-forms/x", 200, form)
        self.assertLess(len(msg), 3000)
        self.assertNotIn("x" * 300, msg)
        self.assertIn("xxx...]", msg)

    def test_undeclared_property(self):
        form = doc_block("3.3")
        form["delivery"]["address"]["zipcode"] = form["delivery"]["address"]["zipCode"]
        msg = self.failure("GET", "/order/checkout-forms/x", 200, form)
        self.assertIn("at /delivery/address/zipcode: property not declared by the schema", msg)

    def test_undeclared_allowed_when_switched_off(self):
        lax = OpenApiSpec.shared(forbid_undeclared=False)
        form = doc_block("3.3")
        form["bogus"] = 1
        lax.validate_response("GET", "/order/checkout-forms/x", 200, form)

    def test_date_time_format(self):
        stats = doc_block("2.3")
        stats["latestEvent"]["occurredAt"] = "12.10.2018 10:12"
        msg = self.failure("GET", "/order/event-stats", 200, stats)
        self.assertIn("at /latestEvent/occurredAt", msg)
        self.assertIn("date-time", msg)

    def test_uuid_format(self):
        form = doc_block("3.3")
        form["lineItems"][0]["id"] = "not-a-uuid"
        msg = self.failure("GET", "/order/checkout-forms/x", 200, form)
        self.assertIn("at /lineItems/0/id", msg)

    def test_undocumented_status(self):
        msg = self.failure("GET", "/order/events", 418, {"errors": []})
        self.assertIn("status 418 is not documented", msg)
        self.assertIn("documented: 200, 401, 403, 422", msg)
        # ...unless the caller allows it.
        self.spec.validate_response(
            "GET", "/order/events", 400, {"errors": [{"code": "X", "message": "m"}]}, allow_undocumented=(400,)
        )

    def test_generic_statuses_use_the_fallback_shapes(self):
        r = self.spec.validate_response(
            "GET",
            "/order/events",
            406,
            {"errors": [{"code": "NotAcceptableException", "message": "Not acceptable", "userMessage": "x"}]},
        )
        self.assertEqual(r.schema_source, "fallback")
        msg = self.failure("GET", "/order/events", 406, {"errors": [{"message": "no code"}]})
        self.assertIn("'code' is a required property", msg)
        msg = self.failure("GET", "/order/events", 406, {"errors": []})
        self.assertIn("at /errors", msg)
        msg = self.failure("GET", "/order/events", 401, {"errors": [{"code": "X", "message": "m"}]})
        self.assertIn("AuthError", msg)

    def test_content_type(self):
        msg = self.failure("GET", "/order/events", 200, doc_block("2.1"), content_type="application/json")
        self.assertIn("Content-Type 'application/json' is not documented", msg)
        # Parameters are ignored.
        self.spec.validate_response(
            "GET", "/order/events", 200, doc_block("2.1"), content_type=ov.VENDOR_JSON + ";charset=UTF-8"
        )
        # A 401 from the OAuth layer may come as plain JSON even where the file lists the vendor type.
        r = self.spec.validate_response(
            "GET", "/order/checkout-forms/x/shipments", 401, {"error": "invalid_token"}, "application/json;charset=UTF-8"
        )
        self.assertEqual(r.schema_ref, "#/components/schemas/AuthError")
        self.assertTrue(r.notes)
        msg = self.failure("GET", "/order/events", 401, {"error": "x"}, content_type="text/html")
        self.assertIn("error body has Content-Type 'text/html'", msg)

    def test_no_content_statuses(self):
        self.spec.validate_response("PUT", "/order/checkout-forms/x/fulfillment", 204, None, empty=True)
        msg = self.failure("PUT", "/order/checkout-forms/x/fulfillment", 204, {"a": 1})
        self.assertIn("must not carry a body", msg)
        msg = self.failure("GET", "/order/events", 200, None, empty=True)
        self.assertIn("expected a body", msg)

    def test_request_validation(self):
        with self.assertRaisesRegex(SchemaValidationFailure, r"at /status: 'SHIPPED' is not one of"):
            self.spec.validate_request("PUT", "/order/checkout-forms/x/fulfillment", {"status": "SHIPPED"})
        with self.assertRaisesRegex(SchemaValidationFailure, "'waybill' is a required property"):
            self.spec.validate_request("POST", "/order/checkout-forms/x/shipments", {"carrierId": "INPOST"})
        with self.assertRaisesRegex(SchemaValidationFailure, "takes no request body"):
            self.spec.validate_request("GET", "/order/events", {})

    def test_failure_is_an_assertion_error(self):
        # unittest then reports a failure (F), not an error (E).
        self.assertTrue(issubclass(SchemaValidationFailure, AssertionError))


if __name__ == "__main__":
    unittest.main()
