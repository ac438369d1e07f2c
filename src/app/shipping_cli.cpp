// ship ORDER --carrier C [--service S], labels ORDER... --format F --output FILE, close-day,
// shipments list.
//
// `ship` writes the shipment to the ledger and then runs the shipment jobs itself until the
// label is ready (a running `nadajnik serve` may take the job instead: the CLI then only
// waits). The tracking number reaches Allegro through the push job that `serve` runs.
#include <fstream>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "app/cli.hpp"
#include "core/text.hpp"
#include "http/api/json_views.hpp"
#include "jobs/job_runner.hpp"
#include "services/shipping.hpp"

namespace nadajnik::app {

namespace json = boost::json;

namespace {

void PrintShipment(const domain::Shipment& s) {
  std::cout << fmt::format("przesyłka {} (zamówienie {}): {} {}, stan {}", s.id.value,
                           s.order_id.value, domain::CarrierDisplayName(s.carrier), s.service,
                           domain::ShipmentStateName(s.state));
  if (!s.tracking_number.empty()) std::cout << ", numer " << s.tracking_number;
  if (!s.last_error.empty()) std::cout << "\n  powód: " << s.last_error;
  std::cout << "\n";
}

// Runs due shipment jobs on this thread until `id` is done or `timeout` passes.
Result<domain::Shipment> RunUntilDone(Runtime& rt, ShipmentId id,
                                      std::chrono::milliseconds timeout) {
  services::ShippingService& shipping = *rt.marketplace->shipping;
  jobs::RunnerOptions options;
  options.workers = 1;
  jobs::JobRunner runner(*rt.store, rt.clock, options, &rt.metrics);
  runner.Register(std::string(services::kCreateShipmentJob),
                  [&shipping](jobs::JobContext& ctx) { return shipping.RunCreate(ctx); });
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    NADAJNIK_ASSIGN_OR_RETURN(auto s, shipping.Get(id));
    const bool busy =
        s.state == domain::ShipmentState::kPending || s.state == domain::ShipmentState::kCreated;
    if (!busy || std::chrono::steady_clock::now() >= deadline) return s;
    NADAJNIK_ASSIGN_OR_RETURN(int ran, runner.RunDue(1));
    if (ran == 0) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace

void AddShippingCommands(CLI::App& cli, GlobalFlags& g, std::function<Result<int>()>& action) {
  // ---- ship ----------------------------------------------------------------------------------
  static std::string order_key, carrier, service, key, template_name, point;
  static int weight = 0;
  static bool confirm = false, ship_json = false, no_wait = false;
  auto* ship = cli.add_subcommand("ship", "Create a shipment for an order and fetch its label");
  AddGlobalFlags(*ship, g);
  ship->add_option("order", order_key, "Order number or checkout form id")->required();
  ship->add_option("--carrier", carrier,
                   "inpost, dpd, poczta_polska, orlen_paczka or allegro_shipping")
      ->required();
  ship->add_option("--service", service, "The carrier's service (default: the contract's)");
  ship->add_option("--template", template_name, "Parcel size template (InPost: small, ...)");
  ship->add_option("--weight", weight, "Parcel weight in grams");
  ship->add_option("--point", point, "Pickup point / parcel locker (default: the buyer's)");
  ship->add_option("--idempotency-key", key,
                   "Repeat a command with the same key to get the same shipment");
  ship->add_flag("--confirm", confirm, "Create one more shipment for an order that has one");
  ship->add_flag("--no-wait", no_wait, "Only queue it (a running `nadajnik serve` creates it)");
  ship->add_flag("--json", ship_json, "The shipment as JSON, as GET /api/v1/shipments/{id}");
  ship->callback([&]() {
    action = [&]() -> Result<int> {
      NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
      NADAJNIK_ASSIGN_OR_RETURN(auto order, FindOrder(*rt, order_key));
      services::ShipmentDraft draft;
      draft.carrier = domain::ParseCarrier(carrier);
      if (!draft.carrier) {
        return Fail(ErrorCode::kInvalidArgument,
                    fmt::format("--carrier '{}' is unknown: use inpost, dpd, poczta_polska, "
                                "orlen_paczka or allegro_shipping",
                                TruncateUtf8(carrier, 40)));
      }
      draft.service = service;
      draft.confirm_another = confirm;
      if (!point.empty()) draft.target_point = point;
      if (!template_name.empty() || weight > 0) {
        domain::Parcel p;
        p.size_template = template_name;
        p.weight_grams = weight > 0 ? weight : 1000;
        draft.parcels.push_back(p);
      }
      auto outcome = rt->marketplace->shipping->Request(order.id, draft, key, "cli");
      if (!outcome) {
        if (outcome.error().code == ErrorCode::kAlreadyExists) {
          std::cerr << "error: " << outcome.error().message << " (--confirm)\n";
          return 3;
        }
        return Fail(outcome.error());
      }
      domain::Shipment s = outcome->shipment;
      if (!no_wait) {
        NADAJNIK_ASSIGN_OR_RETURN(s, RunUntilDone(*rt, s.id, std::chrono::seconds(120)));
      }
      if (ship_json) {
        std::cout << json::serialize(http::api::ShipmentJson(s)) << "\n";
      } else {
        if (!outcome->created) std::cout << "(ten sam klucz: przesyłka już istnieje)\n";
        PrintShipment(s);
      }
      return s.state == domain::ShipmentState::kFailed ? 1 : 0;
    };
  });

  // ---- labels --------------------------------------------------------------------------------
  static std::vector<std::string> label_orders;
  static std::string format_text = "pdf-a6", output;
  auto* labels = cli.add_subcommand("labels", "Save the labels of orders, merged into one file");
  AddGlobalFlags(*labels, g);
  labels->add_option("orders", label_orders, "Order numbers or checkout form ids, in print order")
      ->required();
  labels->add_option("--format", format_text, "pdf-a6 (default), pdf-a4, zpl or zpl-300");
  labels->add_option("--output", output, "File to write")->required();
  labels->callback([&]() {
    action = [&]() -> Result<int> {
      auto format = services::ParseLabelFormatParam(format_text);
      if (!format) {
        return Fail(ErrorCode::kInvalidArgument,
                    "--format must be pdf-a6, pdf-a4, zpl (203 dpi) or zpl-300");
      }
      NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
      std::vector<OrderId> orders;
      for (const auto& k : label_orders) {
        NADAJNIK_ASSIGN_OR_RETURN(auto o, FindOrder(*rt, k));
        orders.push_back(o.id);
      }
      auto& shipping = *rt->marketplace->shipping;
      NADAJNIK_ASSIGN_OR_RETURN(auto ids, shipping.LabelShipmentsOf(orders));
      NADAJNIK_ASSIGN_OR_RETURN(auto file, shipping.MergedLabels(ids, *format));
      const std::string tmp = output + ".tmp";
      {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(file.bytes.data(), static_cast<std::streamsize>(file.bytes.size()));
        if (!out) return Fail(ErrorCode::kUnavailable, fmt::format("cannot write {}", output));
      }
      std::error_code ec;
      std::filesystem::rename(tmp, output, ec);
      if (ec) return Fail(ErrorCode::kUnavailable, fmt::format("cannot write {}", output));
      std::cout << fmt::format("{} etykiet ({}) zapisano w {} ({} B)\n", ids.size(),
                               domain::LabelFormatName(*format), output, file.bytes.size());
      return 0;
    };
  });

  // ---- close-day -----------------------------------------------------------------------------
  static std::string close_account, close_carrier, close_output;
  auto* close = cli.add_subcommand(
      "close-day", "Hand the day's shipments over (Poczta Polska envelope, DPD protocol)");
  AddGlobalFlags(*close, g);
  close->add_option("--account", close_account, "The account's alias")->required();
  close->add_option("--carrier", close_carrier, "poczta_polska or dpd")->required();
  close->add_option("--output", close_output, "Where to save the carrier's document (PDF)");
  close->callback([&]() {
    action = [&]() -> Result<int> {
      auto carrier = domain::ParseCarrier(close_carrier);
      if (!carrier) {
        return Fail(ErrorCode::kInvalidArgument,
                    fmt::format("--carrier '{}' is unknown", TruncateUtf8(close_carrier, 40)));
      }
      NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
      NADAJNIK_ASSIGN_OR_RETURN(auto account, rt->marketplace->accounts->Find(close_account));
      NADAJNIK_ASSIGN_OR_RETURN(auto closed,
                                rt->marketplace->shipping->CloseDay(account.id, *carrier, "cli"));
      std::cout << closed.handover.summary << "\n";
      if (!closed.handover.document.empty()) {
        const std::string file = close_output.empty() ? "protokol.pdf" : close_output;
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out.write(closed.handover.document.data(),
                  static_cast<std::streamsize>(closed.handover.document.size()));
        if (!out) return Fail(ErrorCode::kUnavailable, fmt::format("cannot write {}", file));
        std::cout << "dokument zapisano w " << file << "\n";
      }
      return 0;
    };
  });

  // ---- shipments list ------------------------------------------------------------------------
  static std::string list_order;
  static bool list_json = false;
  auto* shipments = cli.add_subcommand("shipments", "Shipments in the ledger");
  shipments->require_subcommand(1);
  auto* list = shipments->add_subcommand("list", "An order's shipments, or the newest 100");
  AddGlobalFlags(*list, g);
  list->add_option("--order", list_order, "Order number or checkout form id");
  list->add_flag("--json", list_json, "JSON");
  list->callback([&]() {
    action = [&]() -> Result<int> {
      NADAJNIK_ASSIGN_OR_RETURN(auto rt, Open(g));
      std::optional<OrderId> order;
      if (!list_order.empty()) {
        NADAJNIK_ASSIGN_OR_RETURN(auto o, FindOrder(*rt, list_order));
        order = o.id;
      }
      NADAJNIK_ASSIGN_OR_RETURN(auto found, rt->store->Read([&](store::UnitOfWork& uow) {
        return order ? uow.shipments().ListForOrder(*order)
                     : uow.shipments().List(store::ShipmentFilter{});
      }));
      if (list_json) {
        json::array out;
        for (const auto& s : found) out.push_back(http::api::ShipmentJson(s));
        std::cout << json::serialize(json::object{{"shipments", std::move(out)}}) << "\n";
      } else {
        for (const auto& s : found) PrintShipment(s);
      }
      return 0;
    };
  });
}

}  // namespace nadajnik::app
