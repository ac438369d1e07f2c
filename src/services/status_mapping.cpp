#include "services/status_mapping.hpp"

#include <fmt/format.h>

#include "core/text.hpp"
#include "domain/order.hpp"

namespace nadajnik::services {

Result<void> SetStatusMappingsIn(store::UnitOfWork& uow, AccountId account,
                                 const std::vector<StatusMappingChange>& changes,
                                 std::vector<StatusMappingProblem>* problems) {
  NADAJNIK_ASSIGN_OR_RETURN(auto statuses, uow.statuses().List());
  struct Checked {
    StatusId status;
    std::optional<domain::FulfillmentStatus> fulfillment;
  };
  std::vector<Checked> checked;
  std::vector<StatusMappingProblem> found;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const auto& change = changes[i];
    std::optional<StatusId> status;
    for (const auto& s : statuses) {
      if (FoldCase(s.name) == FoldCase(change.local_status) ||
          std::to_string(s.id.value) == change.local_status) {
        status = s.id;
      }
    }
    if (!status) {
      found.push_back(
          {i, StatusMappingProblemKind::kUnknownLocalStatus,
           fmt::format("unknown local status '{}'", TruncateUtf8(change.local_status, 64))});
      continue;
    }
    std::optional<domain::FulfillmentStatus> fulfillment;
    if (change.fulfillment) {
      fulfillment = domain::ParseFulfillmentStatus(*change.fulfillment);
      if (!fulfillment || *fulfillment == domain::FulfillmentStatus::kReturned) {
        found.push_back({i,
                         fulfillment ? StatusMappingProblemKind::kNotSettable
                                     : StatusMappingProblemKind::kUnknownFulfillment,
                         fmt::format("fulfillmentStatus '{}' can't be set by a seller: use NEW, "
                                     "PROCESSING, READY_FOR_SHIPMENT, READY_FOR_PICKUP, SENT, "
                                     "PICKED_UP, CANCELLED or SUSPENDED",
                                     TruncateUtf8(*change.fulfillment, 40))});
        continue;
      }
    }
    checked.push_back({*status, fulfillment});
  }
  if (!found.empty()) {
    std::string first = found.front().message;
    if (problems) *problems = std::move(found);
    return Fail(ErrorCode::kInvalidArgument, std::move(first));
  }
  for (const auto& c : checked) {
    NADAJNIK_TRY(uow.status_mappings().Set(account, c.status, c.fulfillment));
  }
  return Ok();
}

}  // namespace nadajnik::services
