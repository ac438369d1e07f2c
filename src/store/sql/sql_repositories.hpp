// Factories for the SQL repositories (one implementation for both backends, over DbConnection).
// Each repository borrows the connection of its unit of work and lives no longer than it.
#pragma once

#include <memory>

#include "store/db.hpp"
#include "store/job_repository.hpp"
#include "store/repositories.hpp"

namespace nadajnik::security {
class SecretBox;
}

namespace nadajnik::store::sql {

std::unique_ptr<OrderRepository> MakeOrderRepository(DbConnection& db);
std::unique_ptr<StatusRepository> MakeStatusRepository(DbConnection& db);
std::unique_ptr<OrderEventRepository> MakeOrderEventRepository(DbConnection& db);
std::unique_ptr<AccountRepository> MakeAccountRepository(DbConnection& db,
                                                         const security::SecretBox& secrets);
std::unique_ptr<ShipmentRepository> MakeShipmentRepository(DbConnection& db);
std::unique_ptr<UserRepository> MakeUserRepository(DbConnection& db);
std::unique_ptr<SessionRepository> MakeSessionRepository(DbConnection& db);
std::unique_ptr<ApiTokenRepository> MakeApiTokenRepository(DbConnection& db);
std::unique_ptr<LoginFailureRepository> MakeLoginFailureRepository(DbConnection& db);
std::unique_ptr<JobRepository> MakeJobRepository(DbConnection& db);
std::unique_ptr<StatusMappingRepository> MakeStatusMappingRepository(DbConnection& db);
std::unique_ptr<IntegrityIncidentRepository> MakeIntegrityIncidentRepository(DbConnection& db);
std::unique_ptr<ImportFailureRepository> MakeImportFailureRepository(DbConnection& db);
std::unique_ptr<CarrierSettingsRepository> MakeCarrierSettingsRepository(
    DbConnection& db, const security::SecretBox& secrets);
std::unique_ptr<OAuthStateRepository> MakeOAuthStateRepository(DbConnection& db,
                                                               const security::SecretBox& secrets);

}  // namespace nadajnik::store::sql
