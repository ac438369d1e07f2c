"""Conformance tests the sandbox does not pass yet, kept out of ctest.

Written per the reference document (shared/reference/allegro-api.md) with the
harness of test_allegro_sandbox.py, like the tests there. Each class says what
is missing. As of the last run (build/dev and build/asan, 25 Nov 15:47):

- PendingShipWithAllegro: POST /shipment-management/pickup-proposals is not served
  (plain-text 404 from the router), so the courier pickup flow cannot start.

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


if __name__ == "__main__":
    import unittest

    unittest.main()
