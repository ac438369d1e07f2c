#include "sandbox/allegro/invoices_api.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <variant>

#include "core/text.hpp"
#include "sandbox/allegro/order_lookup.hpp"
#include "sandbox/allegro/rest.hpp"
#include "sandbox/allegro/sale_state.hpp"
#include "sandbox/allegro/wire_json.hpp"
#include "security/tokens.hpp"

namespace nadajnik::sandbox::allegro {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

constexpr std::size_t kMaxFileBytes = 3 * 1024 * 1024;  // "Max file size is 3MB"
constexpr std::int64_t kScanMs = 3000;                  // virus scan of an uploaded file
constexpr std::int64_t kMetadataCooldownMs = 5000;      // "wait a few seconds"
constexpr std::size_t kMaxTextBytes = 255;

// Errors of these endpoints carry the request path and repeat the message as userMessage
// (allegro/allegro-api issues #9895, #4992, #11522).
Response InvoiceError(const Request& req, int status, std::string_view code,
                      const std::string& message) {
  return RestError(status, code, message, message, req.path);
}

// The caller's order, or 403 (another seller's) / 404 (unknown, merged, hidden).
std::variant<std::uint32_t, Response> LookupOrder(World& world, const Request& req,
                                                  const Caller& caller) {
  const std::string id = req.PathParam("id").value_or("");
  if (auto order = FindVisibleOrder(world, caller, id)) return *order;
  auto it = world.order_by_checkout_form.find(id);
  if (it != world.order_by_checkout_form.end() && caller.seller != nullptr &&
      world.sellers[world.orders[it->second].seller].id != caller.seller->id) {
    return InvoiceError(req, 403, "ACCESS-DENIED",
                        fmt::format("You do not have permission to access order [{}]", id));
  }
  return InvoiceError(req, 404, "ORDER-NOT-FOUND",
                      fmt::format("Order with id [{}] not found", TruncateUtf8(id, 64)));
}

json::object InvoiceJson(const SaleInvoice& inv, std::int64_t now) {
  json::object file{{"name", inv.file_name}};
  if (inv.uploaded_at_ms) {
    file["uploadedAt"] = FormatWireTime(inv.uploaded_at_ms);
    if (inv.scanned_at_ms <= now) {
      file["securityVerification"] =
          json::object{{"status", "ACCEPTED"}, {"verifiedAt", FormatWireTime(inv.scanned_at_ms)}};
    } else {
      file["securityVerification"] = json::object{{"status", "WAITING"}};
    }
  }
  // Always NOT_APPLICABLE in the REGULAR order mode (the sandbox has no Ukraine exports).
  file["verification"] = json::object{{"status", "NOT_APPLICABLE"}, {"details", json::array{}}};
  json::object o{{"id", inv.id}};
  if (inv.number) o["invoiceNumber"] = *inv.number;
  o["createdAt"] = FormatWireTime(inv.created_at_ms);
  o["file"] = std::move(file);
  return o;
}

Response GetInvoices(World& world, Request& req) {
  auto auth = Authorize(world, req, kOrdersRead);
  if (auto* r = std::get_if<Response>(&auth)) return *r;
  auto found = LookupOrder(world, req, std::get<Caller>(auth));
  if (auto* r = std::get_if<Response>(&found)) return *r;
  const SaleState& state = StateOf(world);
  const std::int64_t now = ToUnixMillis(world.Now());
  json::array list;
  if (auto it = state.invoices.find(std::get<std::uint32_t>(found)); it != state.invoices.end()) {
    for (const auto& inv : it->second) list.push_back(InvoiceJson(inv, now));
  }
  return VendorJson(200, json::object{{"orderMode", "REGULAR"},
                                      {"invoices", std::move(list)},
                                      {"links", json::array{}},
                                      {"hasExternalInvoices", false}});
}

Response PostInvoice(World& world, Request& req) {
  auto auth = Authorize(world, req, kOrdersWrite);
  if (auto* r = std::get_if<Response>(&auth)) return *r;
  if (auto e = RequireVendorJsonBody(req)) return *e;
  auto found = LookupOrder(world, req, std::get<Caller>(auth));
  if (auto* r = std::get_if<Response>(&found)) return *r;
  const std::uint32_t order = std::get<std::uint32_t>(found);
  const std::string form_id = world.CheckoutFormId(order);

  auto body = wire::ParseObject(req.body);
  if (!body) {
    return InvoiceError(req, 422, "VALIDATION_ERROR", "The request body must be a JSON object");
  }
  const auto* file = wire::GetObject(*body, "file");
  auto name = file ? wire::GetString(*file, "name") : wire::Field<std::string>{};
  if (!name.value || name.value->empty() || name.value->size() > kMaxTextBytes ||
      !IsValidUtf8(*name.value)) {
    return RestError(422, "VALIDATION_ERROR", "file.name is required (1 to 255 bytes of text)",
                     "file.name is required", "file.name");
  }
  auto number = wire::GetString(*body, "invoiceNumber");
  if (number.WrongType() ||
      (number.value && (number.value->size() > kMaxTextBytes || !IsValidUtf8(*number.value)))) {
    return RestError(422, "VALIDATION_ERROR", "invoiceNumber must be text of at most 255 bytes",
                     "invoiceNumber is invalid", "invoiceNumber");
  }
  if (!world.Materialize(order).invoice.required) {
    return InvoiceError(req, 422, "ORDER-WITHOUT-INVOICE",
                        fmt::format("Order with id [{}] cannot have an invoice", form_id));
  }
  SaleState& state = StateOf(world);
  auto& invoices = state.invoices[order];
  const std::int64_t now = ToUnixMillis(world.Now());
  // The reference (section 4.6) documents 409 "order already has seller invoice": once an
  // invoice's file is uploaded and scanned, the order has its seller invoice. While the scan
  // runs, new metadata gets 422 (below).
  auto has_invoice = std::find_if(invoices.begin(), invoices.end(), [&](const SaleInvoice& inv) {
    return inv.uploaded_at_ms != 0 && inv.scanned_at_ms <= now;
  });
  if (has_invoice != invoices.end()) {
    return InvoiceError(req, 409, "ORDER-ALREADY-HAS-SELLER-INVOICE",
                        fmt::format("Order with id [{}] already has seller invoice {}", form_id,
                                    has_invoice->number.value_or("")));
  }
  if (std::any_of(invoices.begin(), invoices.end(), [&](const SaleInvoice& inv) {
        return inv.uploaded_at_ms != 0 && inv.scanned_at_ms > now;
      })) {
    return InvoiceError(
        req, 422, "SECURITY-SCAN-IN-PROGRESS",
        fmt::format("Security scan for SELLER invoice in given order [{}] is in progress.",
                    form_id));
  }
  if (!invoices.empty() && invoices.back().uploaded_at_ms == 0 &&
      now - invoices.back().created_at_ms < kMetadataCooldownMs) {
    return InvoiceError(req, 429, "TOO-MANY-REQUESTS",
                        "You're trying to add another metadata too fast. Upload a file to "
                        "previously added metadata or wait a few seconds before adding next "
                        "metadata.");
  }
  SaleInvoice inv;
  inv.id = state.NewUuid(world.options.seed);
  inv.number = number.value;
  inv.file_name = *name.value;
  inv.created_at_ms = now;
  invoices.push_back(inv);
  return VendorJson(201, json::object{{"id", inv.id}});
}

bool IsPdfMediaType(std::string_view content_type) {
  const std::string media = AsciiLower(content_type.substr(0, content_type.find(';')));
  const auto first = media.find_first_not_of(' ');
  const auto last = media.find_last_not_of(' ');
  return first != std::string::npos && media.substr(first, last - first + 1) == "application/pdf";
}

Response PutInvoiceFile(World& world, Request& req) {
  auto auth = Authorize(world, req, kOrdersWrite);
  if (auto* r = std::get_if<Response>(&auth)) return *r;
  const Caller& caller = std::get<Caller>(auth);
  auto type = req.Header("Content-Type");
  if (!type || !IsPdfMediaType(*type)) {
    return RestError(415, "NotSupportedException",
                     "Unsupported content type. Please check 'Content-Type' request header",
                     "Nieobsługiwany typ treści.");
  }
  auto found = LookupOrder(world, req, caller);
  if (auto* r = std::get_if<Response>(&found)) return *r;
  const std::uint32_t order = std::get<std::uint32_t>(found);
  const std::string form_id = world.CheckoutFormId(order);
  const std::string invoice_id = req.PathParam("invoiceId").value_or("");
  SaleState& state = StateOf(world);
  auto& invoices = state.invoices[order];
  auto inv = std::find_if(invoices.begin(), invoices.end(),
                          [&](const SaleInvoice& i) { return i.id == invoice_id; });
  if (inv == invoices.end()) {
    return InvoiceError(req, 404, "INVOICE-NOT-FOUND",
                        fmt::format("Invoice with id [{}] not found in order [{}]",
                                    TruncateUtf8(invoice_id, 64), form_id));
  }
  if (inv->uploaded_at_ms != 0) {
    return InvoiceError(
        req, 409, "INVOICE-FILE-ALREADY-UPLOADED",
        fmt::format("Invoice with id [{}] already has invoice file uploaded", invoice_id));
  }
  if (req.body.empty()) {
    return InvoiceError(req, 422, "EMPTY-ATTACHMENT",
                        fmt::format("Attachment for given order [{}] and invoice [{}] must not be "
                                    "empty",
                                    form_id, invoice_id));
  }
  if (req.body.size() > kMaxFileBytes) {
    return InvoiceError(req, 413, "FILE-TOO-LARGE", "The file is too large. Max file size is 3MB");
  }
  if (!req.body.starts_with("%PDF-")) {
    return InvoiceError(req, 422, "FILE-CONTENT-INVALID",
                        fmt::format("File for given order [{}] and invoice [{}] must have a PDF "
                                    "content",
                                    form_id, invoice_id));
  }
  const std::int64_t now = ToUnixMillis(world.Now());
  inv->uploaded_at_ms = now;
  inv->scanned_at_ms = now + kScanMs;
  inv->file_bytes = req.body.size();
  json::object detail{{"invoiceId", inv->id},
                      {"invoiceNumber", inv->number ? json::value(*inv->number) : json::value()},
                      {"fileName", inv->file_name},
                      {"bytes", static_cast<std::int64_t>(inv->file_bytes)},
                      {"blake2b256", security::HashToken(req.body)}};
  world.received.push_back({"invoice", form_id, caller.seller->id, json::serialize(detail), now});
  Response ok;
  ok.status = 200;
  ok.SetHeader("trace-id", security::RandomToken(12));
  return ok;
}

}  // namespace

void RegisterInvoiceRoutes(http::Router& router, World& world) {
  auto locked = [&world](Response (*fn)(World&, Request&)) {
    return [&world, fn](Request& req) {
      std::lock_guard lock(world.mu);
      return fn(world, req);
    };
  };
  router.Get("/order/checkout-forms/{id}/invoices", locked(GetInvoices));
  router.Post("/order/checkout-forms/{id}/invoices", locked(PostInvoice));
  router.Add("PUT", "/order/checkout-forms/{id}/invoices/{invoiceId}/file", locked(PutInvoiceFile));
}

}  // namespace nadajnik::sandbox::allegro
