// JSON views shared by the API and the CLI (`--json`): one representation per thing.
// Field names follow Allegro's where the thing is Allegro's (checkoutFormId, marketplace,
// currency, lineItems); money is {"amount": "12.34", "currency": "PLN"}; times ISO 8601 UTC.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "domain/order.hpp"
#include "domain/order_event.hpp"
#include "domain/shipment.hpp"
#include "services/account_service.hpp"
#include "services/order_import.hpp"
#include "services/status_sync.hpp"

namespace nadajnik::http::api {

boost::json::value MoneyJson(const Money& m);
// `alias` and `status_name` are shown when known ("" omits them).
boost::json::object OrderJson(const domain::Order& o, bool with_details,
                              const std::string& alias = {}, const std::string& status_name = {});
boost::json::object TimelineEventJson(const domain::OrderEvent& e);
boost::json::object AccountJson(const services::AccountHealth& h);
boost::json::object ReportJson(const services::ImportReport& r);
boost::json::object StatusChangeJson(const services::StatusChange& c);
// A shipment with its state, tracking and label link.
boost::json::object ShipmentJson(const domain::Shipment& s);

}  // namespace nadajnik::http::api
