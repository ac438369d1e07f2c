#include "app/cli.hpp"

#include <fmt/format.h>

#include "core/text.hpp"

namespace nadajnik::app {

void AddGlobalFlags(CLI::App& cmd, GlobalFlags& g) {
  cmd.add_option("--config", g.config_file,
                 "TOML configuration file (see etc/nadajnik.example.toml)");
  auto flag = [&](const std::string& name, const std::string& key, const std::string& help) {
    cmd.add_option_function<std::string>(
        name, [&g, key](const std::string& v) { g.overrides[key] = v; }, help);
  };
  flag("--data-dir", "data.dir",
       "Folder for the SQLite file, the key file and labels (default ./var)");
  flag("--database", "database.url",
       "postgresql://user@host:port/db to use PostgreSQL instead of SQLite");
  flag("--log-format", "log.format", "text (default) or json");
  flag("--log-level", "log.level", "debug, info (default), warn or error");
}

Result<Config> Load(const GlobalFlags& g) {
  ConfigSources sources;
  sources.file = g.config_file;
  sources.env = ProcessEnvironment();
  sources.flags = g.overrides;
  return LoadConfig(sources);
}

Result<std::unique_ptr<Runtime>> Open(const GlobalFlags& g) {
  NADAJNIK_ASSIGN_OR_RETURN(Config config, Load(g));
  return OpenRuntime(config);
}

Result<domain::Order> FindOrder(Runtime& rt, const std::string& key) {
  NADAJNIK_ASSIGN_OR_RETURN(
      auto found,
      rt.store->Read([&](store::UnitOfWork& uow) -> Result<std::optional<domain::Order>> {
        if (!key.empty() && key.size() < 19 &&
            key.find_first_not_of("0123456789") == std::string::npos) {
          return uow.orders().Get(OrderId(std::stoll(key)));
        }
        NADAJNIK_ASSIGN_OR_RETURN(auto accounts, uow.accounts().List());
        for (const auto& a : accounts) {
          NADAJNIK_ASSIGN_OR_RETURN(auto o,
                                    uow.orders().FindByCheckoutForm(a.id, CheckoutFormId{key}));
          if (o) return o;
        }
        return std::optional<domain::Order>();
      }));
  if (!found) {
    return Fail(ErrorCode::kNotFound,
                fmt::format("no order '{}' (give its number or its checkout form id)",
                            TruncateUtf8(key, 64)));
  }
  return std::move(*found);
}

}  // namespace nadajnik::app
