// `run`, `check` and `help`: the commands that take a deck.
#include <mpi.h>

#include <cstdio>

#include <yaml-cpp/yaml.h>

#include "app/commands.hpp"
#include "measureflow/deck.hpp"
#include "measureflow/driver.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/schema.hpp"

namespace mf::app {

bool is_root() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r == 0;
}

int help_command(const std::string& model) {
  if (model.empty()) {
    if (!is_root()) return 0;
    std::printf("models:\n");
    for (const auto& m : registered_models()) std::printf("  %s\n", m.c_str());
    std::printf("`measureflow help MODEL` lists a model's deck keys.\n");
    return 0;
  }
  // Every rank looks the model up, so an unknown name is the same InputError (exit 2) everywhere.
  const std::string text = schema_help(model);
  if (is_root()) std::printf("%s", text.c_str());
  return 0;
}

namespace {
// A deck with a sweep: section describes many runs; say how to expand it instead of "unknown key".
void reject_sweep_decks(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception&) {
    return;  // load_deck reports unreadable files and syntax errors with their lines
  }
  if (root.IsMap() && root["sweep"])
    throw InputError(path + ": key 'sweep': this deck describes a parameter sweep; expand it with `measureflow sweep " +
                     path + " --out DIR`, then run the variant decks DIR/vNNNN/deck.yaml (or submit jobs/sweep.sbatch)");
}
}  // namespace

int check_command(const DeckOptions& a) {
  reject_sweep_decks(a.deck);
  const Deck deck = load_deck(a.deck, a.overrides);
  if (is_root()) {
    std::printf("# %s: valid (%s)\n%s", deck.path().c_str(), deck.model().c_str(), deck.resolved_yaml().c_str());
  }
  return 0;
}

int run_command(const DeckOptions& a, const BuildInfo& build) {
  reject_sweep_decks(a.deck);
  // --quiet means output.quiet: true, so models that print their own progress (read from the deck) go
  // quiet as well as the Driver.
  std::vector<std::string> overrides = a.overrides;
  if (a.quiet) overrides.push_back("output.quiet=true");
  const Deck deck = load_deck(a.deck, overrides);
  RunOptions options;
  options.quiet = a.quiet;
  options.version = build.version;
  options.git_revision = build.revision;
  options.restart = a.restart;
  try {
    run_deck(deck, MPI_COMM_WORLD, options);
  } catch (const RunInterrupted& stop) {
    if (is_root())
      std::fprintf(stderr, "measureflow: stopped by a signal; continue with: measureflow run %s --restart %s\n",
                   a.deck.c_str(), stop.checkpoint.c_str());
    return kExitCheckpointed;
  }
  return 0;
}

}  // namespace mf::app
