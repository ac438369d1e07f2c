"""Conformance tests the sandbox does not pass yet, kept out of ctest.

Written per the reference document (shared/reference/allegro-api.md) with the
harness of test_allegro_sandbox.py, like the tests there. Each class says what
is missing. As of the last run (build/dev, 25 Nov 15:34):

- ParcelTracking, PendingShipWithAllegro (courier pickup), AccountAndMarketplaces:
  the paths are not served (plain-text 404 from the router).
- CheckoutFormFilters: payment.id, delivery.method.id and
  fulfillment.shipmentSummary.lineItemsSent are ignored by GET /order/checkout-forms.
- AcceptLanguage: userMessage is always Polish.
- PendingOffers: the offers sold in orders are not in GET /sale/offers.
- PendingInvoices: a second invoice after a scanned one gets 201, not the documented 409.

Move a test to test_allegro_sandbox.py once it passes.

Run: cd tests/conformance && NADAJNIK_SANDBOX_BINARY=... python3 -m unittest -v test_allegro_sandbox_pending
"""

from __future__ import annotations

import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import test_allegro_sandbox as base  # noqa: E402  (module import: its TestCases do not run twice)
from test_allegro_sandbox import SENDER  # noqa: E402


def setUpModule() -> None:  # noqa: N802 - unittest's name
    """Fail once, clearly, when the binary is missing (instead of once per class)."""
    base.sandbox_binary()


def tearDownModule() -> None:  # noqa: N802
    base.stop_shared_sandbox()


class PendingInvoices(base.InvoiceCalls):
    def test_second_invoice_gives_409(self):
        """Doc 4.6: the file is virus-scanned after upload (securityVerification WAITING -> ACCEPTED|REJECTED);
        while it is, new metadata gets 422; after it, 409 "order already has seller invoice"."""
        form_id = self.invoice_order()
        first = self.post_meta(form_id)
        self.assertStatus(first, 201)
        self.assertStatus(self.put_file(form_id, first.json()["id"]), 200)
        early = self.post_meta(form_id, "FV 2/01/2024")
        self.assertRestError(early, (409, 422))
        listing = self.poll(
            f"/order/checkout-forms/{form_id}/invoices",
            lambda b: all(
                ((i.get("file") or {}).get("securityVerification") or {}).get("status") != "WAITING"
                for i in b["invoices"]
            ),
            "invoice security scan",
        )
        status = listing["invoices"][0]["file"]["securityVerification"]["status"]
        self.assertIn(status, ("ACCEPTED", "REJECTED"))
        self.assertRestError(self.post_meta(form_id, "FV 2/01/2024"), 409)


class PendingShipWithAllegro(base.WzaCalls):
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


class PendingOffers(base.SandboxTestCase):
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


class ParcelTracking(base.SandboxTestCase):
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


class CheckoutFormFilters(base.SandboxTestCase):
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


class AcceptLanguage(base.SandboxTestCase):
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


class AccountAndMarketplaces(base.SandboxTestCase):
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
