// The invoice endpoints of the Allegro sandbox (shared/reference/allegro-api.md section 4.6):
//
//   POST /order/checkout-forms/{id}/invoices                    orders:write  metadata -> 201 {id}
//   PUT  /order/checkout-forms/{id}/invoices/{invoiceId}/file   orders:write  raw PDF -> 200
//   GET  /order/checkout-forms/{id}/invoices                    orders:read
//
// An order may carry several invoices (a correction after the first), but only where the buyer
// asked for one (invoice.required; otherwise 422 ORDER-WITHOUT-INVOICE). The metadata POST
// answers 409 when an invoice with the same number already has its file, 422 while the previous
// file is still being virus-scanned (3 s of sandbox time), and 429 when the previous metadata got
// no file yet and is under 5 s old. The file PUT takes Content-Type application/pdf and the raw
// bytes: empty is 422 EMPTY-ATTACHMENT, over 3 MB is 413, anything not starting with "%PDF-"
// (base64, multipart, a JSON wrapper) is 422 FILE-CONTENT-INVALID, a second file is 409.
// Another seller's order is 403, an unknown one 404 ORDER-NOT-FOUND. An uploaded file is
// recorded in World::received as kind "invoice".
//
// Handlers lock World::mu for the whole request.
#pragma once

#include "http/router.hpp"
#include "sandbox/allegro/world.hpp"

namespace nadajnik::sandbox::allegro {

void RegisterInvoiceRoutes(http::Router& router, World& world);

}  // namespace nadajnik::sandbox::allegro
