// The sub-commands of the measureflow executable; each returns the process exit status.
#pragma once
#include <string>
#include <vector>

namespace mf::app {

int help_command(const std::vector<std::string>& args);
int check_command(const std::vector<std::string>& args);
int run_command(const std::vector<std::string>& args, const std::string& version, const std::string& revision);
int sweep_command(const std::vector<std::string>& args);
int sweep_collect_command(const std::vector<std::string>& args);

// Deck path and --set overrides from `DECK [--set k=v]... [--quiet]`; throws InputError on misuse.
struct DeckArguments {
  std::string deck;
  std::vector<std::string> overrides;
  bool quiet = false;
  std::string restart;  // --restart FILE (run only)
};
DeckArguments parse_deck_arguments(const std::vector<std::string>& args, const std::vector<std::string>& extra_flags = {});

}  // namespace mf::app
