// `run`, `check` and `help`: the commands that take a deck.
#include <mpi.h>

#include <algorithm>
#include <cstdio>

#include <yaml-cpp/yaml.h>

#include "app/commands.hpp"
#include "measureflow/deck.hpp"
#include "measureflow/driver.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/schema.hpp"

namespace mf::app {

namespace {
bool is_root() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r == 0;
}
}  // namespace

DeckArguments parse_deck_arguments(const std::vector<std::string>& args, const std::vector<std::string>& extra_flags) {
  DeckArguments out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--set") {
      if (i + 1 >= args.size()) throw InputError("--set needs key.path=value");
      out.overrides.push_back(args[++i]);
    } else if (a.rfind("--set=", 0) == 0) {
      out.overrides.push_back(a.substr(6));
    } else if (a == "--quiet") {
      out.quiet = true;
    } else if (a.rfind("--", 0) == 0) {
      // Command-specific flags (--restart, --out) take a value; the caller reads the ones it owns.
      if (std::find(extra_flags.begin(), extra_flags.end(), a) == extra_flags.end())
        throw InputError("unknown option '" + a + "' (allowed: --set key.path=value, --quiet" +
                         (extra_flags.empty() ? std::string() : ", " + extra_flags.front() + " VALUE") + ")");
      if (i + 1 >= args.size()) throw InputError(a + " needs a value");
      if (a == "--restart") out.restart = args[i + 1];
      ++i;
    } else if (out.deck.empty()) {
      out.deck = a;
    } else {
      throw InputError("unexpected argument '" + a + "' (one deck file per run)");
    }
  }
  if (out.deck.empty()) throw InputError("missing deck file (usage: measureflow run DECK.yaml)");
  return out;
}

int help_command(const std::vector<std::string>& args) {
  if (!is_root()) return 0;
  if (args.empty()) {
    std::printf("models:\n");
    for (const auto& m : registered_models()) std::printf("  %s\n", m.c_str());
    std::printf("`measureflow help MODEL` lists a model's deck keys.\n");
    return 0;
  }
  std::printf("%s", schema_help(args.front()).c_str());
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

int check_command(const std::vector<std::string>& args) {
  const DeckArguments a = parse_deck_arguments(args);
  reject_sweep_decks(a.deck);
  const Deck deck = load_deck(a.deck, a.overrides);
  if (is_root()) {
    std::printf("# %s: valid (%s)\n%s", deck.path().c_str(), deck.model().c_str(), deck.resolved_yaml().c_str());
  }
  return 0;
}

int run_command(const std::vector<std::string>& args, const std::string& version, const std::string& revision) {
  const DeckArguments a = parse_deck_arguments(args, {"--restart"});
  reject_sweep_decks(a.deck);
  // --quiet means output.quiet: true, so models that print their own progress (read from the deck) go
  // quiet as well as the Driver.
  std::vector<std::string> overrides = a.overrides;
  if (a.quiet) overrides.push_back("output.quiet=true");
  const Deck deck = load_deck(a.deck, overrides);
  RunOptions options;
  options.quiet = a.quiet;
  options.version = version;
  options.git_revision = revision;
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
