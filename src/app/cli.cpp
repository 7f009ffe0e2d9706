#include "app/cli.hpp"

#include <mpi.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "measureflow/errors.hpp"

namespace mf::cli {

namespace {
bool looks_numeric(const std::string& s) {
  return s.size() > 1 && (std::isdigit(static_cast<unsigned char>(s[1])) || s[1] == '.');
}
}  // namespace

Split split_arguments(int argc, char** argv, const std::vector<std::string>& with_value) {
  Split out;
  out.petsc.emplace_back(argc > 0 ? argv[0] : "measureflow");
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--", 0) == 0) {
      out.ours.push_back(a);
      const bool takes_value = std::find(with_value.begin(), with_value.end(), a) != with_value.end();
      if (takes_value && i + 1 < argc) out.ours.emplace_back(argv[++i]);
    } else if (a.size() > 1 && a[0] == '-' && !looks_numeric(a) && a != "-h") {
      out.petsc.push_back(a);
      if (i + 1 < argc && argv[i + 1][0] != '-') out.petsc.emplace_back(argv[++i]);
    } else {
      out.ours.push_back(a);
    }
  }
  return out;
}

}  // namespace mf::cli

namespace mf::app {

namespace {

constexpr const char* kPetscNote =
    "PETSc options (one dash: -log_view, -ksp_type cg, -options_file F, ...) may appear anywhere and go to "
    "PETSc.";

struct Parsed {
  DeckOptions run, check;
  SweepOptions sweep;
  OtOptions ot;
  std::string model, collect_dir;
  double eps = 0.0;  // --eps (read only when given; std::optional is not a CLI11 2.1 option type)
};

// Numeric checks whose messages say what is allowed in words (CLI11's own ranges print the double's limits).
CLI::Validator number_above(double lo, bool inclusive, const std::string& desc) {
  return CLI::Validator(
      [lo, inclusive, desc](std::string& text) -> std::string {
        double v = 0.0;
        if (!CLI::detail::lexical_cast(text, v) || !std::isfinite(v)) return "'" + text + "' is not a number";
        if (inclusive ? v < lo : v <= lo) return "'" + text + "' must be " + desc;
        return {};
      },
      desc);
}

void add_set_option(CLI::App* cmd, std::vector<std::string>* overrides) {
  cmd->add_option("--set", *overrides,
                  "Override a deck key, e.g. --set domain.cells=[64,64] (repeatable; applied in order, "
                  "validated like the deck itself)")
      ->type_name("KEY.PATH=VALUE")
      ->allow_extra_args(false);
}

void define_commands(CLI::App& app, Parsed& p, const BuildInfo& build) {
  app.description(
      "MeasureFlow: evolving probability measures on a grid (Eulerian), as particles (Lagrangian) and in "
      "closed form, compared at every output time.");
  app.footer(std::string("Run `measureflow COMMAND --help` for a command's flags; `measureflow help` lists the "
                         "models and `measureflow help MODEL` their deck keys.\nExit status: 0 ok, 1 unexpected, "
                         "2 bad input (nothing computed), 3 numerical failure (last good output kept), 4 stopped "
                         "by a signal after a checkpoint.\n") +
             kPetscNote);
  app.set_version_flag("--version", "measureflow " + build.version + " (git " + build.revision + ")",
                       "Print the version and the git revision it was built from, then exit");
  app.require_subcommand(1);

  CLI::App* run = app.add_subcommand("run", "Run a deck: every view it enables, metrics, outputs in output.dir");
  run->add_option("DECK", p.run.deck, "The deck (YAML) to run")->required();
  add_set_option(run, &p.run.overrides);
  run->add_flag("--quiet", p.run.quiet, "No progress lines (sets output.quiet: true)");
  run->add_option("--restart", p.run.restart,
                  "Continue from a checkpoint written by an earlier run of the same deck")
      ->type_name("CHECKPOINT.h5");
  run->footer(kPetscNote);

  CLI::App* check = app.add_subcommand("check", "Validate a deck and print it resolved (defaults filled in); compute nothing");
  check->add_option("DECK", p.check.deck, "The deck (YAML) to check")->required();
  add_set_option(check, &p.check.overrides);

  CLI::App* help = app.add_subcommand("help", "List the models, or a model's deck keys with types, defaults and allowed values");
  help->add_option("MODEL", p.model, "A model name (`measureflow help` lists them)");

  CLI::App* sweep = app.add_subcommand(
      "sweep", "Expand a deck's sweep: section into one validated deck per variant (DIR/vNNNN/deck.yaml) and DIR/sweep.json");
  sweep->add_option("DECK", p.sweep.deck.deck, "A deck with a sweep: section")->required();
  sweep->add_option("--out", p.sweep.out, "Folder for the variant decks and sweep.json")->required()->type_name("DIR");
  add_set_option(sweep, &p.sweep.deck.overrides);

  CLI::App* collect = app.add_subcommand(
      "sweep-collect", "Gather every variant's summary.json of a sweep into DIR/collected.csv and DIR/collected.json");
  collect->add_option("DIR", p.collect_dir, "The folder given to `measureflow sweep --out`")->required();

  CLI::App* ot = app.add_subcommand(
      "ot", "Optimal transport (cost |x - y|^2) between two point-set files: a particles.h5 or an HDF5 file with "
            "root datasets positions (N x d) and optional weights (N)");
  ot->add_option("A", p.ot.a, "First point set (.h5)")->required();
  ot->add_option("B", p.ot.b, "Second point set (.h5)")->required();
  ot->add_option("--method", p.ot.transport.method,
                 "sinkhorn (entropic, any size, distributed) or exact (1D quantiles; in d > 1 an assignment for "
                 "equal sizes, uniform weights, n <= 5000)")
      ->check(CLI::IsMember({"sinkhorn", "exact"}))
      ->capture_default_str();
  ot->add_option("--solver", p.ot.transport.solver,
                 "Sinkhorn solver: multiscale (bins and reduced-cost truncation, 1-3 dimensions), dense (all pairs, "
                 "streamed; any dimension), auto (multiscale up to 3 dimensions, dense above) or exact (1-3 "
                 "dimensions: multiscale down to eps, then the exact transport LP on the kept pairs, certified on "
                 "all pairs; transport_cost is then the exact W2^2; eps defaults to 4 x the squared mean spacing, "
                 "tol to 1e-2) or bracket (1-3 dimensions: multiscale down to eps, then a certified bracket "
                 "w2sq_lower <= W2^2 <= w2sq_upper from the potentials, eps halved until the bracket is within "
                 "--bracket-gap; transport_cost is the rounded feasible plan's cost; eps defaults to 4 x the "
                 "squared mean spacing in 1-2D and 0.5 x it in 3D, tol to 1e-4)")
      ->check(CLI::IsMember({"auto", "multiscale", "dense", "exact", "bracket"}))
      ->capture_default_str();
  ot->add_option("--bracket-gap", p.ot.transport.bracket_gap,
                 "--solver bracket: stop once (upper - lower) <= this x lower (2e-3: W2 to 1e-3 relative)")
      ->check(number_above(0.0, false, "> 0"))
      ->capture_default_str();
  ot->add_option("--max-stored-pairs", p.ot.transport.max_stored_pairs,
                 "--solver bracket: kernel pairs stored per rank (12 bytes each); above it every sweep recomputes them")
      ->check(number_above(1.0, true, ">= 1"))
      ->capture_default_str();
  ot->add_option("--eps", p.eps,
                 "Entropic regularisation in cost units (default 1e-3 x squared diameter of the joint bounding box)")
      ->check(number_above(0.0, false, "> 0"))
      ->type_name("E");
  ot->add_option("--tol", p.ot.transport.tol, "Sinkhorn stops when the L1 marginal error is below this")
      ->check(number_above(0.0, false, "> 0"))
      ->capture_default_str();
  ot->add_option("--max-iterations", p.ot.transport.max_iterations, "Sinkhorn iterations, all eps stages together")
      ->check(number_above(1.0, true, ">= 1"))
      ->capture_default_str();
  ot->add_option("--snapshot", p.ot.snapshot, "Snapshot index to read from a particles.h5 (default: the last)")
      ->check(number_above(0.0, true, ">= 0"))
      ->type_name("K");
  ot->add_flag("--no-divergence", "Skip the debiased Sinkhorn divergence (two extra solves)");
  ot->add_flag("--json", p.ot.json, "Print the result as one JSON object instead of a table");
  ot->add_option("--out", p.ot.out, "Also write the result as root attributes of an HDF5 file")->type_name("RESULT.h5");
  ot->footer(kPetscNote);
}

}  // namespace

}  // namespace mf::app

namespace mf::cli {

std::vector<std::string> flags_with_value() {
  CLI::App app;
  app::Parsed p;
  app::define_commands(app, p, app::BuildInfo{});
  std::vector<std::string> out;
  for (const CLI::App* cmd : app.get_subcommands([](const CLI::App*) { return true; }))
    for (const CLI::Option* opt : cmd->get_options())
      if (opt->nonpositional() && opt->get_type_size() > 0)
        for (const auto& name : opt->get_lnames())
          if (std::find(out.begin(), out.end(), "--" + name) == out.end()) out.push_back("--" + name);
  return out;
}

}  // namespace mf::cli

namespace mf::app {

int run_cli(const std::vector<std::string>& words, const BuildInfo& build) {
  const bool root = is_root();
  CLI::App app("", "measureflow");
  Parsed p;
  define_commands(app, p, build);
  // A first word that is neither a flag nor a command: say so (CLI11 would report a missing command).
  if (!words.empty() && !words.front().empty() && words.front()[0] != '-') {
    std::string names;
    bool known = false;
    for (const CLI::App* cmd : app.get_subcommands([](const CLI::App*) { return true; })) {
      names += (names.empty() ? "" : ", ") + cmd->get_name();
      known = known || cmd->get_name() == words.front();
    }
    if (!known) {
      if (root)
        std::fprintf(stderr, "measureflow: unknown command '%s' (commands: %s)\nRun `measureflow --help` for the commands.\n",
                     words.front().c_str(), names.c_str());
      return kExitInput;
    }
  }
  try {
    // CLI11 parses a reversed vector (it pops from the back).
    std::vector<std::string> reversed(words.rbegin(), words.rend());
    app.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    if (root) app.exit(e);
    return kExitOk;
  } catch (const CLI::CallForAllHelp& e) {
    if (root) app.exit(e);
    return kExitOk;
  } catch (const CLI::CallForVersion& e) {
    if (root) app.exit(e);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    // Every rank parses the same words; one message, one status (2: bad input, nothing computed).
    if (root) {
      std::string where;
      for (const CLI::App* cmd : app.get_subcommands()) where = " " + cmd->get_name();
      std::fprintf(stderr, "measureflow%s: %s\nRun `measureflow%s --help` for the flags.\n", where.c_str(), e.what(),
                   where.c_str());
    }
    return kExitInput;
  }
  try {
    if (app.got_subcommand("run")) return run_command(p.run, build);
    if (app.got_subcommand("check")) return check_command(p.check);
    if (app.got_subcommand("help")) return help_command(p.model);
    if (app.got_subcommand("sweep")) return sweep_command(p.sweep);
    if (app.got_subcommand("sweep-collect")) return sweep_collect_command(p.collect_dir);
    if (app.got_subcommand("ot")) {
      const CLI::App* ot = app.get_subcommand("ot");
      p.ot.transport.divergence = ot->count("--no-divergence") == 0;
      if (ot->count("--eps") > 0) p.ot.transport.eps = p.eps;
      // The exact step only needs ε-scaling to bring the kept pairs near the plan: a loose default tol.
      if (p.ot.transport.solver == "exact" && ot->count("--tol") == 0) p.ot.transport.tol = 1e-2;
      // The bracket's rounding moves about tol/2 of the mass across the box: 1e-4 keeps that below its gap.
      if (p.ot.transport.solver == "bracket" && ot->count("--tol") == 0) p.ot.transport.tol = 1e-4;
      return ot_command(p.ot);
    }
    return kExitInput;  // unreachable: require_subcommand(1)
  } catch (const InputError& e) {
    // Every rank reaches the same verdict (validation is deterministic); only rank 0 speaks.
    if (root) std::fprintf(stderr, "measureflow: input error:\n%s\n", e.what());
    return kExitInput;
  } catch (const SolverError& e) {
    if (root) std::fprintf(stderr, "measureflow: numerical failure: %s\n", e.what());
    return kExitSolver;
  }
}

}  // namespace mf::app
