// Setting which Allegro fulfilment status each local status sends, per account: the one path
// for the JSON API (PUT /api/v1/accounts/{alias}/status-mapping) and the panel's "Ustawienia ›
// Statusy", so both accept and refuse the same things.
//
// A change names a local status (its name, case-insensitive, or its numeric id) and the
// fulfilment status it should send, or none (the change then stays local). RETURNED is set only
// by Allegro and is refused. Every change is checked before any is stored: either all are
// stored or none. Runs inside the caller's transaction; no state of its own.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.hpp"
#include "core/result.hpp"
#include "store/store.hpp"

namespace nadajnik::services {

struct StatusMappingChange {
  std::string local_status;                // name or id
  std::optional<std::string> fulfillment;  // "SENT", ...; nullopt: the change stays local
};

enum class StatusMappingProblemKind {
  kUnknownLocalStatus,
  kUnknownFulfillment,  // not one of Allegro's fulfilment statuses
  kNotSettable,         // RETURNED: Allegro's own
};

struct StatusMappingProblem {
  std::size_t index;  // of the change
  StatusMappingProblemKind kind;
  std::string message;  // English, names the value and what to use instead
};

// Checks `changes` against the local statuses and stores them for `account`. kInvalidArgument
// with the first problem's message when any change is wrong (all problems go to `problems` when
// given), and nothing is stored; kNotFound for an unknown account.
Result<void> SetStatusMappingsIn(store::UnitOfWork& uow, AccountId account,
                                 const std::vector<StatusMappingChange>& changes,
                                 std::vector<StatusMappingProblem>* problems = nullptr);

}  // namespace nadajnik::services
