"""Conformance tests for Allegro endpoints the sandbox does not serve yet.

Written per the reference document (shared/reference/allegro-api.md), like
test_allegro_sandbox.py, whose harness they use: invoices (doc 4.6), parcel
tracking (4.5), Ship with Allegro / /shipment-management (5), offers and
stock (6), and /me and /marketplaces (8). They are expected to fail until the
sandbox serves these paths; they are kept out of ctest until then.

Run: cd tests/conformance && NADAJNIK_SANDBOX_BINARY=... python3 -m unittest -v test_allegro_sandbox_pending
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from typing import Any, Dict, List, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import test_allegro_sandbox as base  # noqa: E402  (module import: its TestCases do not run twice)
from test_allegro_sandbox import MILLIS_UTC, Response  # noqa: E402

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
POLL_SECONDS = float(os.environ.get("NADAJNIK_SANDBOX_POLL_SECONDS", "30"))

SENDER = {
    "name": "Jan Nowak",
    "company": "Sklep Sp. z o.o.",
    "street": "Główna 30",
    "postalCode": "10-200",
    "city": "Warszawa",
    "countryCode": "PL",
    "email": "sklep@example.pl",
    "phone": "500600700",
}
PACKAGE = {
    "type": "PACKAGE",
    "length": {"value": 30, "unit": "CENTIMETER"},
    "width": {"value": 20, "unit": "CENTIMETER"},
    "height": {"value": 10, "unit": "CENTIMETER"},
    "weight": {"value": 1.2, "unit": "KILOGRAMS"},
    "textOnLabel": "conformance",
}


def setUpModule() -> None:  # noqa: N802 - unittest's name
    """Fail once, clearly, when the binary is missing (instead of once per class)."""
    base.sandbox_binary()


def tearDownModule() -> None:  # noqa: N802
    base.stop_shared_sandbox()


class PendingTestCase(base.SandboxTestCase):
    def poll(self, path: str, done, what: str) -> Dict[str, Any]:
        """GET path until done(body) or POLL_SECONDS pass, honouring Retry-After (capped at 2 s)."""
        deadline = time.monotonic() + POLL_SECONDS
        while True:
            r = self.api("GET", path)
            self.assertStatus(r, 200)
            body = r.json()
            if done(body):
                return body
            if time.monotonic() > deadline:
                self.fail(f"{what}: not done after {POLL_SECONDS:.0f}s: {body}")
            try:
                wait = float(r.header("Retry-After") or 0.2)
            except ValueError:
                wait = 0.2
            time.sleep(min(max(wait, 0.05), 2.0))

    def offer_ids(self, count: int = 2) -> List[str]:
        """Ids of this seller's ACTIVE offers with stock, from GET /sale/offers (doc 6.1)."""
        r = self.api("GET", "/sale/offers", query=[("publication.status", "ACTIVE"), ("limit", 1000)])
        self.assertStatus(r, 200)
        ids = [o["id"] for o in r.json()["offers"] if o["stock"]["available"] > 0 and o["id"] not in self._used_offers]
        self.assertGreaterEqual(len(ids), count, "the seller has too few ACTIVE offers with stock left for the tests")
        self._used_offers.update(ids[:count])  # each test gets offers no other test has touched
        return ids[:count]

    _used_offers: set = set()

    def invoice_order(self) -> str:
        """A fresh order whose buyer asked for an invoice (invoice.required, doc 3.4)."""
        for _ in range(5):
            for form_id in self.create_orders(10):
                if (self.form(form_id).get("invoice") or {}).get("required"):
                    return form_id
        self.fail("no generated order with invoice.required in 50")

    def offer(self, offer_id: str) -> Dict[str, Any]:
        r = self.api("GET", "/sale/offers", query=[("offer.id", offer_id)])
        self.assertStatus(r, 200)
        offers = r.json()["offers"]
        self.assertEqual([o["id"] for o in offers], [offer_id])
        return offers[0]


class Invoices(PendingTestCase):
    def post_meta(self, form_id: str, number: str = "FV 1/01/2024", **kw) -> Response:
        body = kw.pop("json_body", {"file": {"name": "FV_2024_01_1.pdf"}, "invoiceNumber": number})
        return self.api("POST", f"/order/checkout-forms/{form_id}/invoices", json_body=body, **kw)

    def new_invoice(self, form_id: str) -> str:
        r = self.post_meta(form_id)
        self.assertStatus(r, 201)
        return r.json()["id"]

    def put_file(self, form_id: str, invoice_id: str, data: bytes = PDF, **kw) -> Response:
        return self.api(
            "PUT",
            f"/order/checkout-forms/{form_id}/invoices/{invoice_id}/file",
            raw_body=data,
            content_type=kw.pop("content_type", "application/pdf"),
            **kw,
        )

    def test_metadata_then_file_then_listed(self):
        """Doc 4.6: POST metadata -> 201 {"id"}; PUT the raw PDF with Content-Type application/pdf -> 200;
        GET .../invoices lists it with invoiceNumber and file.name; the sandbox records it."""
        form_id = self.invoice_order()
        r = self.post_meta(form_id)
        self.assertStatus(r, 201)
        invoice_id = r.json()["id"]
        uuid.UUID(invoice_id)
        self.assertStatus(self.put_file(form_id, invoice_id), 200)
        listing = self.api("GET", f"/order/checkout-forms/{form_id}/invoices")
        self.assertStatus(listing, 200)
        invoices = listing.json()["invoices"]
        self.assertEqual([i["id"] for i in invoices], [invoice_id])
        self.assertEqual(invoices[0]["invoiceNumber"], "FV 1/01/2024")
        self.assertEqual(invoices[0]["file"]["name"], "FV_2024_01_1.pdf")
        self.assertIn(listing.json().get("orderMode", "REGULAR"), ("REGULAR", "UKRAINE_EXPORT"))
        self.assertTrue([x for x in self.received() if x.get("checkoutFormId") == form_id])

    def test_second_invoice_gives_409(self):
        """Doc 4.6: 409 "order already has seller invoice"."""
        form_id = self.invoice_order()
        first = self.post_meta(form_id)
        self.assertStatus(first, 201)
        self.assertStatus(self.put_file(form_id, first.json()["id"]), 200)
        self.assertRestError(self.post_meta(form_id, "FV 2/01/2024"), 409)

    def test_file_uploaded_twice_gives_409(self):
        """Doc 4.6: PUT .../file again -> 409 file already uploaded."""
        form_id = self.invoice_order()
        invoice_id = self.new_invoice(form_id)
        self.assertStatus(self.put_file(form_id, invoice_id), 200)
        self.assertRestError(self.put_file(form_id, invoice_id), 409)

    def test_file_over_3_mb_gives_413(self):
        """Doc 4.6: a file over 3 MB -> 413."""
        form_id = self.invoice_order()
        invoice_id = self.new_invoice(form_id)
        big = PDF + b"%" + b"0" * (3 * 1024 * 1024)
        self.assertRestError(self.put_file(form_id, invoice_id, big), 413)

    def test_empty_or_non_pdf_file_gives_422(self):
        """Doc 4.6: an empty file -> 422 (EMPTY-ATTACHMENT); not a PDF -> 422 (FILE-CONTENT-INVALID)."""
        form_id = self.invoice_order()
        invoice_id = self.new_invoice(form_id)
        self.assertRestError(self.put_file(form_id, invoice_id, b""), 422)
        self.assertRestError(self.put_file(form_id, invoice_id, b"hello, not a pdf"), 422)

    def test_missing_file_suffix_gives_404(self):
        """Doc 4.6: PUT .../invoices/{invoiceId} without /file -> 404."""
        form_id = self.invoice_order()
        invoice_id = self.new_invoice(form_id)
        r = self.api(
            "PUT",
            f"/order/checkout-forms/{form_id}/invoices/{invoice_id}",
            raw_body=PDF,
            content_type="application/pdf",
            validate=False,  # not a path in the OpenAPI file
        )
        self.assertStatus(r, 404)

    def test_file_name_is_required(self):
        """Doc 4.6: file.name is required; invalid data -> 422."""
        form_id = self.invoice_order()
        r = self.post_meta(form_id, json_body={"invoiceNumber": "FV 9"}, validate_request=False)
        self.assertRestError(r, 422)

    def test_unknown_invoice_and_order(self):
        """Doc 4.6: 404 for an unknown order or invoice."""
        form_id = self.invoice_order()
        self.assertRestError(self.put_file(form_id, str(uuid.uuid4())), 404)
        self.assertRestError(self.post_meta(str(uuid.uuid4())), 404)

    def test_order_without_requested_invoice(self):
        """Doc 4.6: 422 when the order does not allow invoices. Which orders those are is not documented;
        the sandbox refuses orders whose buyer did not ask for one (invoice.required false)."""
        for form_id in self.create_orders(5):
            if not (self.form(form_id).get("invoice") or {}).get("required"):
                r = self.post_meta(form_id)
                if r.status != 201:
                    self.assertRestError(r, 422)
                return
        self.skipTest("every generated order asked for an invoice")

    def test_other_sellers_order_gives_403(self):
        """Doc 4.6: 403 when the order is not yours."""
        if not self.other_seller:
            self.skipTest("the sandbox has one seller")
        other = self.create_orders(1, seller=self.other_seller["login"])[0]
        self.assertRestError(self.post_meta(other), 403)


class ParcelTracking(PendingTestCase):
    def test_tracking_for_a_waybill(self):
        """Doc 4.5: GET /order/carriers/{carrierId}/tracking?waybill=A -> {carrierId, waybills[{waybill, trackingDetails}]}."""
        form_id = self.create_orders(1)[0]
        self.assertStatus(
            self.api("POST", f"/order/checkout-forms/{form_id}/shipments",
                     json_body={"carrierId": "INPOST", "waybill": "620000000000000000000777"}),
            201,
        )
        r = self.api("GET", "/order/carriers/INPOST/tracking", query=[("waybill", "620000000000000000000777")])
        self.assertStatus(r, 200)
        body = r.json()
        self.assertEqual(body["carrierId"], "INPOST")
        self.assertEqual([w["waybill"] for w in body["waybills"]], ["620000000000000000000777"])
        codes = {"AVAILABLE_FOR_PICKUP", "DELIVERED", "IN_TRANSIT", "ISSUE", "NOTICE_LEFT", "PENDING",
                 "RELEASED_FOR_DELIVERY", "RETURNED"}
        for w in body["waybills"]:
            for s in (w.get("trackingDetails") or {}).get("statuses", []):
                self.assertIn(s["code"], codes)

    def test_bad_requests_give_400(self):
        """Doc 4.5: 400 for an unknown carrier, or missing or too many (over 20) waybills."""
        self.assertStatus(self.api("GET", "/order/carriers/NO_SUCH/tracking", query=[("waybill", "1")]), 400)
        self.assertStatus(self.api("GET", "/order/carriers/INPOST/tracking"), 400)
        many = [("waybill", str(i)) for i in range(21)]
        self.assertStatus(self.api("GET", "/order/carriers/INPOST/tracking", query=many), 400)


class ShipWithAllegro(PendingTestCase):
    def proposal(self, form_id: str) -> Dict[str, Any]:
        r = self.api("GET", f"/shipment-management/delivery-proposals/{form_id}")
        self.assertStatus(r, 200)
        return r.json()

    def create_shipment(self, form_id: str, command_id: Optional[str] = None) -> Dict[str, Any]:
        """delivery-proposals -> create-commands -> poll -> SUCCESS; returns the final command status."""
        suggested = dict(self.proposal(form_id)["suggestedInput"])
        suggested["packages"] = [PACKAGE]
        if not suggested.get("sender"):
            suggested["sender"] = SENDER
        suggested["labelFormat"] = "PDF"
        command_id = command_id or str(uuid.uuid4())
        r = self.api("POST", "/shipment-management/shipments/create-commands",
                     json_body={"commandId": command_id, "input": suggested})
        self.assertStatus(r, 200)
        self.assertEqual(r.json()["commandId"], command_id)
        self.assertTrue(r.header("Retry-After"), "doc 5.2: 200 with a Retry-After header")
        status = self.poll(
            f"/shipment-management/shipments/create-commands/{command_id}",
            lambda b: b["status"] != "IN_PROGRESS",
            "create-command",
        )
        self.assertEqual(status["status"], "SUCCESS", status)
        self.assertTrue(status["shipmentId"])
        return status

    def test_delivery_services(self):
        """Doc 5.1: services with id.deliveryMethodId, name, carrierId, owner ALLEGRO|CLIENT, marketplaces, packageTypes."""
        r = self.api("GET", "/shipment-management/delivery-services")
        self.assertStatus(r, 200)
        services = r.json()["services"]
        self.assertTrue(services)
        for s in services:
            uuid.UUID(s["id"]["deliveryMethodId"])
            self.assertIn(s["owner"], ("ALLEGRO", "CLIENT"))
            self.assertTrue(s["name"])
            if s["owner"] == "ALLEGRO":
                self.assertIsNone(s["id"].get("credentialsId"))

    def test_delivery_proposal_is_prefilled_from_the_order(self):
        """Doc 5.7: GET .../delivery-proposals/{orderId} -> {orderId, suggestedInput (receiver = the buyer's
        allegromail address, pickup point), deliveryOptions[]}."""
        form_id = self.create_orders(1)[0]
        form = self.form(form_id)
        p = self.proposal(form_id)
        self.assertEqual(p["orderId"], form_id)
        receiver = p["suggestedInput"]["receiver"]
        self.assertEqual(receiver["email"], form["buyer"]["email"], "doc 5.2: receiver.email is the buyer's allegromail")
        point = (form.get("delivery") or {}).get("pickupPoint")
        if point:
            self.assertEqual(receiver.get("point"), point["id"])
        self.assertTrue(p["deliveryOptions"])

    def test_create_shipment_then_details_label_and_order_waybill(self):
        """Doc 5.2/5.3/5.4/4.2: the command succeeds with a shipmentId; the shipment has packages[].waybill;
        the label is a PDF (application/octet-stream); the waybill is attached to the order automatically."""
        form_id = self.create_orders(1)[0]
        shipment_id = self.create_shipment(form_id)["shipmentId"]
        r = self.api("GET", f"/shipment-management/shipments/{shipment_id}")
        self.assertStatus(r, 200)
        shipment = r.json()
        self.assertEqual(shipment["id"], shipment_id)
        waybills = [p["waybill"] for p in shipment["packages"] if p.get("waybill")]
        self.assertTrue(waybills, "doc 5.3: packages[].waybill")
        self.assertIn(shipment.get("labelFormat"), ("PDF", None))
        self.assertFalse(shipment.get("canceledDate"))
        label = self.api("POST", "/shipment-management/label", accept="application/octet-stream",
                         json_body={"shipmentIds": [shipment_id], "pageSize": "A6", "cutLine": False})
        self.assertStatus(label, 200)
        self.assertEqual((label.content_type or "").split(";")[0], "application/octet-stream")
        self.assertTrue(label.body.startswith(b"%PDF"), "doc 5.4: a PDF for labelFormat PDF")
        order_waybills = [s["waybill"] for s in self.api("GET", f"/order/checkout-forms/{form_id}/shipments").json()["shipments"]]
        for w in waybills:
            self.assertIn(w, order_waybills, "doc 4.2: WzA shipments are attached to the order automatically")

    def test_command_id_reuse_is_idempotent(self):
        """Doc 5.2: reusing a commandId makes the call idempotent."""
        form_id = self.create_orders(1)[0]
        command_id = str(uuid.uuid4())
        first = self.create_shipment(form_id, command_id)
        second = self.create_shipment(form_id, command_id)
        self.assertEqual(first["shipmentId"], second["shipmentId"])

    def test_receiver_email_must_be_the_buyers(self):
        """Doc 5.2 (forum): another receiver.email fails with VALIDATION_FAILED "Selected order can not be used"."""
        form_id = self.create_orders(1)[0]
        suggested = dict(self.proposal(form_id)["suggestedInput"])
        suggested["packages"] = [PACKAGE]
        suggested["receiver"] = dict(suggested["receiver"], email="someone@example.com")
        command_id = str(uuid.uuid4())
        r = self.api("POST", "/shipment-management/shipments/create-commands",
                     json_body={"commandId": command_id, "input": suggested})
        self.assertStatus(r, 200)
        status = self.poll(f"/shipment-management/shipments/create-commands/{command_id}",
                           lambda b: b["status"] != "IN_PROGRESS", "create-command")
        self.assertEqual(status["status"], "ERROR")
        self.assertIsNone(status.get("shipmentId"))
        self.assertEqual(status["errors"][0]["code"], "VALIDATION_FAILED")

    def test_malformed_create_command_gives_400(self):
        """Doc 5.2: input.packages is required; a malformed body -> 400."""
        form_id = self.create_orders(1)[0]
        suggested = dict(self.proposal(form_id)["suggestedInput"])
        suggested.pop("packages", None)
        r = self.api("POST", "/shipment-management/shipments/create-commands",
                     json_body={"commandId": str(uuid.uuid4()), "input": suggested}, validate_request=False)
        self.assertRestError(r, 400)
        r = self.api("POST", "/shipment-management/shipments/create-commands", raw_body=b"{not json")
        self.assertRestError(r, 400)

    def test_unknown_shipment_gives_404(self):
        """Doc 5.3/5.4: an unknown shipment id -> 404 SHIPMENT_NOT_FOUND; the label -> 404."""
        r = self.api("GET", f"/shipment-management/shipments/{uuid.uuid4()}")
        self.assertRestError(r, 404, "SHIPMENT_NOT_FOUND")
        label = self.api("POST", "/shipment-management/label", accept="application/octet-stream",
                         json_body={"shipmentIds": [str(uuid.uuid4())]})
        self.assertStatus(label, 404)

    def test_cancel(self):
        """Doc 5.5: cancel-commands -> 200 with Retry-After; poll -> SUCCESS; the shipment has canceledDate."""
        form_id = self.create_orders(1)[0]
        shipment_id = self.create_shipment(form_id)["shipmentId"]
        command_id = str(uuid.uuid4())
        r = self.api("POST", "/shipment-management/shipments/cancel-commands",
                     json_body={"commandId": command_id, "input": {"shipmentId": shipment_id}})
        self.assertStatus(r, 200)
        self.assertTrue(r.header("Retry-After"))
        status = self.poll(f"/shipment-management/shipments/cancel-commands/{command_id}",
                           lambda b: b["status"] != "IN_PROGRESS", "cancel-command")
        self.assertEqual(status["status"], "SUCCESS", status)
        self.assertEqual(status.get("shipmentId"), shipment_id)
        shipment = self.api("GET", f"/shipment-management/shipments/{shipment_id}").json()
        self.assertTrue(shipment.get("canceledDate"))

    def test_courier_pickup(self):
        """Doc 5.6: pickup-proposals -> proposalItems; pickups/create-commands -> poll -> pickupId;
        GET pickups/{id} lists the shipment."""
        form_id = self.create_orders(1)[0]
        shipment_id = self.create_shipment(form_id)["shipmentId"]
        r = self.api("POST", "/shipment-management/pickup-proposals",
                     json_body={"shipmentIds": [shipment_id], "readyDate": time.strftime("%Y-%m-%d"),
                                "address": SENDER})
        self.assertStatus(r, 200)
        proposals = [p for entry in r.json() for p in entry.get("proposals", [])]
        items = [i for p in proposals for i in p.get("proposalItems", [])]
        self.assertTrue(items, f"no pickup proposal: {r}")
        command_id = str(uuid.uuid4())
        r = self.api("POST", "/shipment-management/pickups/create-commands",
                     json_body={"commandId": command_id,
                                "input": {"shipmentIds": [shipment_id], "pickupDateProposalId": items[0]["id"],
                                          "address": SENDER}})
        self.assertStatus(r, 200)
        status = self.poll(f"/shipment-management/pickups/create-commands/{command_id}",
                           lambda b: b["status"] != "IN_PROGRESS", "pickup command")
        self.assertEqual(status["status"], "SUCCESS", status)
        pickup = self.api("GET", f"/shipment-management/pickups/{status['pickupId']}")
        self.assertStatus(pickup, 200)
        self.assertIn(shipment_id, pickup.json()["shipmentIds"])

    def test_plain_json_gives_415(self):
        """Doc 0: application/json instead of the vendor type -> 415."""
        r = self.api("POST", "/shipment-management/shipments/cancel-commands",
                     json_body={"commandId": str(uuid.uuid4()), "input": {"shipmentId": "x"}},
                     content_type="application/json")
        self.assertRestError(r, 415, "NotSupportedException")


class Offers(PendingTestCase):
    def test_list_shape_and_default_limit(self):
        """Doc 6.1: {"offers":[...], "count", "totalCount"}; limit defaults to 20; each offer has stock{available, sold}."""
        self.offer_ids(1)
        r = self.api("GET", "/sale/offers")
        self.assertStatus(r, 200)
        body = r.json()
        self.assertEqual(body["count"], len(body["offers"]))
        self.assertLessEqual(body["count"], 20)
        self.assertGreaterEqual(body["totalCount"], body["count"])
        for o in body["offers"]:
            self.assertIsInstance(o["stock"]["available"], int)
            self.assertIsInstance(o["stock"]["sold"], int)
            self.assertIn(o["publication"]["status"], ("INACTIVE", "ACTIVE", "ACTIVATING", "ENDED"))

    def test_line_item_offers_are_the_sellers_offers(self):
        """Doc 3.4/6.1: lineItems[].offer.id is an offer of the seller, and lineItems[].offer.external.id is the SKU
        set on that offer; GET /sale/offers?offer.id= finds it (stock sync maps SKUs to offers this way)."""
        form = self.form(self.create_orders(1)[0])
        for li in form["lineItems"]:
            with self.subTest(offer=li["offer"]["id"]):
                r = self.api("GET", "/sale/offers", query=[("offer.id", li["offer"]["id"])])
                self.assertStatus(r, 200)
                offers = r.json()["offers"]
                self.assertEqual([o["id"] for o in offers], [li["offer"]["id"]], "the sold offer is not in /sale/offers")
                sku = (li["offer"].get("external") or {}).get("id")
                self.assertEqual((offers[0].get("external") or {}).get("id"), sku)

    def test_offer_and_external_id_filters(self):
        """Doc 6.1: offer.id and external.id (the seller's SKU) filters, both repeatable."""
        a, b = self.offer_ids(2)
        r = self.api("GET", "/sale/offers", query=[("offer.id", a), ("offer.id", b)])
        self.assertEqual({o["id"] for o in r.json()["offers"]}, {a, b})
        offer = self.offer(a)
        sku = (offer.get("external") or {}).get("id")
        if sku:
            r = self.api("GET", "/sale/offers", query=[("external.id", sku)])
            self.assertIn(a, {o["id"] for o in r.json()["offers"]})
            for o in r.json()["offers"]:
                self.assertEqual(o["external"]["id"], sku)

    def test_limit_and_offset_bounds(self):
        """Doc 6.1: limit 1..1000, offset 0..9,999,999, offset + limit <= 10,000,000; else 400."""
        self.assertStatus(self.api("GET", "/sale/offers", query=[("limit", 1000)]), 200)
        for q in ([("limit", 0)], [("limit", 1001)], [("offset", -1)], [("offset", 9999999), ("limit", 2)]):
            with self.subTest(query=q):
                self.assertRestError(self.api("GET", "/sale/offers", query=q), 400)

    def test_patch_stock(self):
        """Doc 6.2: PATCH /sale/product-offers/{id} {"stock":{"available":17}} -> 200 (or 202 + Location);
        the offer then shows 17; the sandbox records the change."""
        offer_id = self.offer_ids(1)[0]
        r = self.api("PATCH", f"/sale/product-offers/{offer_id}", json_body={"stock": {"available": 17, "unit": "UNIT"}})
        self.assertStatus(r, 200, 202)
        if r.status == 202:
            self.assertTrue(r.header("Location"))
            self.assertTrue(r.header("Retry-After") or r.header("Retry-after"))
            deadline = time.monotonic() + POLL_SECONDS
            while True:
                op = self.api("GET", r.header("Location"))
                if op.status == 303 or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            self.assertStatus(op, 303)
        self.assertEqual(self.offer(offer_id)["stock"]["available"], 17)
        self.assertTrue([x for x in self.received() if x.get("kind") == "stock" or "stock" in str(x.get("body"))])

    def test_patch_zero_ends_an_active_offer(self):
        """Doc 6.2: stock 0 on an ACTIVE offer ends it (publication.status ENDED)."""
        offer_id = self.offer_ids(1)[0]
        self.assertEqual(self.offer(offer_id)["publication"]["status"], "ACTIVE")
        r = self.api("PATCH", f"/sale/product-offers/{offer_id}", json_body={"stock": {"available": 0}})
        self.assertStatus(r, 200, 202)
        self.assertEqual(self.offer(offer_id)["publication"]["status"], "ENDED")

    def test_patch_invalid(self):
        """Doc 6.2: negative stock -> 422 (or 400); an unknown offer -> 404."""
        offer_id = self.offer_ids(1)[0]
        r = self.api("PATCH", f"/sale/product-offers/{offer_id}", json_body={"stock": {"available": -1}},
                     validate_request=False)
        self.assertRestError(r, (400, 422))
        r = self.api("PATCH", "/sale/product-offers/999999999999", json_body={"stock": {"available": 1}})
        self.assertRestError(r, 404)


class OfferQuantityCommands(PendingTestCase):
    def put_command(self, command_id: str, offers: List[str], change: str = "FIXED", value: int = 17) -> Response:
        return self.api(
            "PUT",
            f"/sale/offer-quantity-change-commands/{command_id}",
            json_body={
                "modification": {"changeType": change, "value": value},
                "offerCriteria": [{"type": "CONTAINS_OFFERS", "offers": [{"id": o} for o in offers]}],
            },
        )

    def test_fixed_command_report_and_tasks(self):
        """Doc 6.3: PUT -> 201 GeneralReport {id, createdAt, completedAt|null, taskCount}; GET gives the same report;
        GET .../tasks lists one task per offer (field stock.available); the offers end up with the value."""
        offers = self.offer_ids(2)
        command_id = str(uuid.uuid4())
        r = self.put_command(command_id, offers, "FIXED", 17)
        self.assertStatus(r, 201)
        report = r.json()
        self.assertEqual(report["id"], command_id)
        self.assertRegex(report["createdAt"], MILLIS_UTC)
        self.assertEqual(report["taskCount"]["total"], 2)
        done = self.poll(f"/sale/offer-quantity-change-commands/{command_id}", lambda b: b.get("completedAt"), "command")
        self.assertEqual(done["taskCount"]["success"], 2)
        tasks = self.api("GET", f"/sale/offer-quantity-change-commands/{command_id}/tasks").json()["tasks"]
        self.assertEqual({t["offer"]["id"] for t in tasks}, set(offers))
        for t in tasks:
            self.assertEqual(t["field"], "stock.available")
            self.assertEqual(t["status"], "SUCCESS")
        for o in offers:
            self.assertEqual(self.offer(o)["stock"]["available"], 17)

    def test_gain_command(self):
        """Doc 6.3: GAIN adds (or subtracts) the value."""
        offer_id = self.offer_ids(1)[0]
        before = self.offer(offer_id)["stock"]["available"]
        command_id = str(uuid.uuid4())
        self.assertStatus(self.put_command(command_id, [offer_id], "GAIN", 3), 201)
        self.poll(f"/sale/offer-quantity-change-commands/{command_id}", lambda b: b.get("completedAt"), "command")
        self.assertEqual(self.offer(offer_id)["stock"]["available"], before + 3)

    def test_reused_command_id_gives_409(self):
        """Doc 6.3: reusing a commandId -> 409 "Command id was already used"."""
        offer_id = self.offer_ids(1)[0]
        command_id = str(uuid.uuid4())
        self.assertStatus(self.put_command(command_id, [offer_id]), 201)
        self.assertRestError(self.put_command(command_id, [offer_id]), 409)

    def test_unknown_command_and_task_bounds(self):
        """Doc 6.3: unknown command -> 404; tasks limit 1..1000 and offset 0..999, else 422."""
        self.assertRestError(self.api("GET", f"/sale/offer-quantity-change-commands/{uuid.uuid4()}"), 404)
        offer_id = self.offer_ids(1)[0]
        command_id = str(uuid.uuid4())
        self.assertStatus(self.put_command(command_id, [offer_id]), 201)
        for q in ([("limit", 1001)], [("limit", 0)], [("offset", 1000)]):
            with self.subTest(query=q):
                r = self.api("GET", f"/sale/offer-quantity-change-commands/{command_id}/tasks", query=q)
                self.assertRestError(r, 422)


class CheckoutFormFilters(PendingTestCase):
    def test_payment_and_delivery_method_filters(self):
        """Doc 3.1: payment.id and delivery.method.id filter GET /order/checkout-forms by exact match."""
        form = self.form(self.create_orders(1)[0])
        for name in ("payment.id", "delivery.method.id"):
            with self.subTest(filter=name):
                self.assertExactFilter(form, name)

    def test_line_items_sent_filter(self):
        """Doc 3.1: fulfillment.shipmentSummary.lineItemsSent (NONE, SOME, ALL) filters by exact match."""
        sent, unsent = self.create_orders(2)
        r = self.api("POST", f"/order/checkout-forms/{sent}/shipments", json_body={"carrierId": "DPD", "waybill": "DPD1"})
        self.assertStatus(r, 201)
        for form_id in (sent, unsent):
            with self.subTest(form=form_id):
                self.assertExactFilter(self.form(form_id), "fulfillment.shipmentSummary.lineItemsSent")


class AcceptLanguage(PendingTestCase):
    def test_user_message_follows_accept_language(self):
        """Doc 0/7.1: userMessage is translated according to Accept-Language (en-US, pl-PL, uk-UA, sk-SK, cs-CZ,
        hu-HU); the file's Error schema: "By default message in English is returned"; message stays English."""
        path = f"/order/checkout-forms/{uuid.uuid4()}"
        by_lang = {}
        for lang in (None, "en-US", "pl-PL"):
            headers = {"Accept-Language": lang} if lang else {}
            r = self.api("GET", path, headers=headers)
            error = self.assertRestError(r, 404, "CheckoutFormNotFoundException")
            by_lang[lang] = error
        self.assertNotEqual(by_lang["en-US"]["userMessage"], by_lang["pl-PL"]["userMessage"], "not translated")
        self.assertEqual(by_lang[None]["userMessage"], by_lang["en-US"]["userMessage"], "default is English")
        self.assertEqual(by_lang["en-US"]["message"], by_lang["pl-PL"]["message"], "message is always English")


class AccountAndMarketplaces(PendingTestCase):
    def test_me(self):
        """Doc 8: GET /me -> {id, login, baseMarketplace{id}, ...} for the token's seller."""
        r = self.api("GET", "/me")
        self.assertStatus(r, 200)
        me = r.json()
        self.assertEqual(str(me["id"]), str(self.seller["id"]))
        self.assertEqual(me["login"], self.seller["login"])
        self.assertEqual(me["baseMarketplace"]["id"], self.seller.get("baseMarketplace", "allegro-pl"))

    def test_marketplaces(self):
        """Doc 8: GET /marketplaces lists allegro-pl (PLN) and allegro-cz (CZK) with languages and currencies."""
        r = self.api("GET", "/marketplaces")
        self.assertStatus(r, 200)
        by_id = {m["id"]: m for m in r.json()["marketplaces"]}
        self.assertEqual(by_id["allegro-pl"]["currencies"]["base"]["code"], "PLN")
        self.assertEqual(by_id["allegro-cz"]["currencies"]["base"]["code"], "CZK")


if __name__ == "__main__":
    import unittest

    unittest.main()
