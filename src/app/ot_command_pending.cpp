// TEMPORARY until the ot branch is merged (then this file is deleted).
#include "app/commands.hpp"
#include "measureflow/errors.hpp"
namespace mf::app {
int ot_command(const std::vector<std::string>&) { throw InputError("measureflow ot: not available in this build"); }
}  // namespace mf::app
