#include "app/cli.hpp"

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

}  // namespace nadajnik::app
