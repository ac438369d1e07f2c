// Placeholder: carriers add|list|check and the demo's carrier contracts land here.
#include "app/cli.hpp"

namespace nadajnik::app {

void AddCarrierCommands(CLI::App&, GlobalFlags&, std::function<Result<int>()>&) {}

Result<void> ConnectDemoCarriers(Runtime&, const std::string&) { return Ok(); }

}  // namespace nadajnik::app
