// Placeholder: ship, labels and shipments list land here.
#include "app/cli.hpp"

namespace nadajnik::app {

void AddShippingCommands(CLI::App&, GlobalFlags&, std::function<Result<int>()>&) {}

}  // namespace nadajnik::app
