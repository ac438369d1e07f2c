// Command-line plumbing shared by main.cpp and the command groups: the flags every command takes
// (--config, --data-dir, --database, --log-format, --log-level) and opening the runtime from them.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "app/runtime.hpp"

namespace nadajnik::app {

struct GlobalFlags {
  std::string config_file;
  std::map<std::string, std::string> overrides;  // config key -> value
};

void AddGlobalFlags(CLI::App& cmd, GlobalFlags& g);
Result<Config> Load(const GlobalFlags& g);
Result<std::unique_ptr<Runtime>> Open(const GlobalFlags& g);

// The order named by our id or by its checkout form id (of any account).
Result<domain::Order> FindOrder(Runtime& rt, const std::string& key);

// accounts add|list|authorize, import, orders list|set-status. The chosen command's work is
// stored in `action` (run by main after parsing).
void AddMarketplaceCommands(CLI::App& cli, GlobalFlags& g, std::function<Result<int>()>& action);

// carriers add|list|check (carriers_cli.cpp).
void AddCarrierCommands(CLI::App& cli, GlobalFlags& g, std::function<Result<int>()>& action);

// ship, labels, shipments list (shipping_cli.cpp).
void AddShippingCommands(CLI::App& cli, GlobalFlags& g, std::function<Result<int>()>& action);

// The demo's carrier contracts for the demo accounts, against the built-in sandbox whose base
// URL is `sandbox_base` (carriers_cli.cpp).
Result<void> ConnectDemoCarriers(Runtime& rt, const std::string& sandbox_base);

}  // namespace nadajnik::app
