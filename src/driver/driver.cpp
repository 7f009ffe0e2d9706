// The Driver. Reads top to bottom as the life of a run:
//   1. build the model's views from the deck (may still fail on input files: nothing written yet)
//   2. create the output folder, write the resolved deck
//   3. step every view to each output time, checking health every step
//   4. at each output time: diagnostics, snapshots, progress
//   5. publish fields.h5, particles.h5, run.xmf, diagnostics.csv, summary.json (each atomically)
#include "measureflow/driver.hpp"

#include <unistd.h>

#include <csignal>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include "measureflow/checkpoint.hpp"
#include "measureflow/deck.hpp"
#include "measureflow/diagnostics.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/grid_field.hpp"
#include "measureflow/io/field_file.hpp"
#include "measureflow/io/particle_file.hpp"
#include "measureflow/io/xdmf.hpp"
#include "measureflow/model.hpp"
#include "measureflow/progress.hpp"

namespace mf {

namespace {

// Set by SIGTERM/SIGUSR1 (what SLURM sends before the time limit); polled every step.
volatile std::sig_atomic_t g_stop_signal = 0;
extern "C" void request_stop(int sig) { g_stop_signal = sig; }

std::string now_iso8601() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

std::string host_name() {
  char buf[256] = {0};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

std::vector<double> output_times(const Deck& deck, const Model& model) {
  std::vector<double> times = model.output_times();
  if (!times.empty()) return times;
  const double end = deck.real("time.end"), every = deck.real("output.every");
  for (long long k = 0;; ++k) {
    const double t = k * every;
    if (t >= end * (1.0 - 1e-12)) break;
    times.push_back(t);
  }
  times.push_back(end);
  return times;
}

// Writes the history of metrics as CSV: one row per output time, columns = union of metric names.
std::string history_csv(const std::vector<std::pair<double, Metrics>>& history) {
  std::set<std::string> names;
  for (const auto& [t, m] : history)
    for (const auto& [k, v] : m) names.insert(k);
  std::ostringstream os;
  os.precision(17);
  os << "time";
  for (const auto& n : names) os << "," << n;
  os << "\n";
  for (const auto& [t, m] : history) {
    os << t;
    for (const auto& n : names) {
      os << ",";
      auto it = m.find(n);
      if (it != m.end()) os << it->second;
    }
    os << "\n";
  }
  return os.str();
}

// Writes one snapshot of every enabled view.
void write_snapshot(double t, Model& model, io::FieldFileWriter* fields, io::ParticleFileWriter* particles) {
  if (fields) {
    EulerianView& e = *model.eulerian;
    const IndexBox& o = e.grid().owned();
    io::GridBlock block{{o.start[0], o.start[1], o.start[2]}, {o.count[0], o.count[1], o.count[2]}};
    block.start.resize(e.grid().dim());
    block.count.resize(e.grid().dim());
    std::vector<std::unique_ptr<VecBlockRead>> reads;
    std::vector<std::pair<std::string, const double*>> arrays;
    reads.push_back(std::make_unique<VecBlockRead>(e.density(), o));
    arrays.emplace_back("density", reads.back()->data());
    for (const auto& [name, vec] : e.extra_fields()) {
      reads.push_back(std::make_unique<VecBlockRead>(vec, o));
      arrays.emplace_back(name, reads.back()->data());
    }
    fields->write_snapshot(t, block, arrays);
  }
  if (particles) {
    const ParticleSet& p = model.lagrangian->particles();
    auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.positions);
    auto w = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.weights);
    auto id = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.ids);
    particles->write_snapshot(t, p.size(), x.data(), w.data(), id.data());
  }
}

void print_metric_table(const Metrics& m) {
  std::printf("\n%-40s %s\n", "metric", "value");
  for (const auto& [k, v] : m) std::printf("%-40s %.6e\n", k.c_str(), v);
  std::fflush(stdout);
}

}  // namespace

io::Summary run_deck(const Deck& deck, MPI_Comm comm, const RunOptions& options) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const auto wall_start = std::chrono::steady_clock::now();
  const bool talk = rank == 0 && !options.quiet && !deck.flag("output.quiet");

  // 1. The model and its views.
  std::unique_ptr<Model> model = model_factory(deck.model())(deck, comm);

  // 2. Output folder and the resolved deck.
  const std::filesystem::path out_dir = deck.text("output.dir");
  if (rank == 0) std::filesystem::create_directories(out_dir);
  MPI_Barrier(comm);
  if (rank == 0) io::write_text_atomically((out_dir / "deck.resolved.yaml").string(), deck.resolved_yaml());

  io::RunInfo run{deck.resolved_yaml(), options.version, options.git_revision, size, host_name(), now_iso8601()};
  // A restarted run appends to the files the first run published, after dropping later snapshots.
  std::optional<double> resume_time;
  if (!options.restart.empty()) resume_time = checkpoint_time(options.restart, comm);
  std::unique_ptr<io::FieldFileWriter> fields;
  std::unique_ptr<io::ParticleFileWriter> particles;
  if (model->eulerian) {
    const GridSpec& g = model->eulerian->grid().spec();
    io::GridInfo info{g.dim, {}, {}, {}};
    for (int a = 0; a < g.dim; ++a) {
      info.lower.push_back(g.lower[a]);
      info.upper.push_back(g.upper[a]);
      info.cells.push_back(g.cells[a]);
    }
    fields = resume_time ? std::make_unique<io::FieldFileWriter>(comm, (out_dir / "fields.h5").string(), run, info,
                                                                 *resume_time)
                         : std::make_unique<io::FieldFileWriter>(comm, (out_dir / "fields.h5").string(), run, info);
  }
  if (model->lagrangian) {
    const std::string path = (out_dir / "particles.h5").string();
    const int dim = model->lagrangian->particles().dim();
    particles = resume_time ? std::make_unique<io::ParticleFileWriter>(comm, path, run, dim, *resume_time)
                            : std::make_unique<io::ParticleFileWriter>(comm, path, run, dim);
  }

  DiagnosticsOptions diag_options;
  const std::string w2_when = deck.text("diagnostics.w2");
  diag_options.w2_when = w2_when == "none"      ? DiagnosticsOptions::W2When::None
                         : w2_when == "outputs" ? DiagnosticsOptions::W2When::Outputs
                                                : DiagnosticsOptions::W2When::Final;
  diag_options.w2_eps = deck.real("diagnostics.w2_eps");
  diag_options.w2_points = deck.integer("diagnostics.w2_points");
  Diagnostics diagnostics(*model, comm, diag_options);

  std::vector<std::pair<double, Metrics>> history;
  const std::vector<double> times = output_times(deck, *model);
  const double t_end = times.back();
  const double fixed_dt = deck.has("time.dt") ? deck.real("time.dt") : 0.0;
  Progress progress(talk, t_end);
  double t = times.front();
  long long steps = 0;
  double last_dt = 0.0;
  size_t first_target = 1;
  if (!options.restart.empty()) {
    const CheckpointState st = read_checkpoint(options.restart, comm, *model);
    t = st.time;
    steps = st.steps;
    first_target = static_cast<size_t>(st.next_output);
    history = st.history;
    diagnostics.restore(st.baseline);
    if (talk) std::printf("restarting from %s at t = %.6g, step %lld\n", options.restart.c_str(), t, steps);
  }
  const long long checkpoint_steps = deck.has("output.checkpoint_steps") ? deck.integer("output.checkpoint_steps") : 0;
  const double checkpoint_seconds = deck.has("output.checkpoint_minutes") ? 60.0 * deck.real("output.checkpoint_minutes") : 0.0;
  const std::string checkpoint_path = (out_dir / "checkpoint.h5").string();
  auto last_checkpoint = std::chrono::steady_clock::now();
  g_stop_signal = 0;
  std::signal(SIGTERM, request_stop);
  std::signal(SIGUSR1, request_stop);
  auto checkpoint = [&](size_t next_output) {
    CheckpointState st;
    st.time = t;
    st.steps = steps;
    st.next_output = static_cast<long long>(next_output);
    st.history = history;
    st.baseline = diagnostics.baseline();
    st.deck_yaml = deck.resolved_yaml();
    write_checkpoint(checkpoint_path, comm, st, *model);
    last_checkpoint = std::chrono::steady_clock::now();
  };

  // Publishes everything written so far; called at the end and after a numerical failure.
  auto publish = [&](bool completed) {
    if (fields) fields->finish();
    if (particles) particles->finish();
    if (rank == 0) {
      io::write_xdmf((out_dir / "run.xmf").string(), fields.get(), particles.get());
      io::write_text_atomically((out_dir / "diagnostics.csv").string(), history_csv(history));
      for (const auto& [name, text] : model->extra_text_files()) io::write_text_atomically((out_dir / name).string(), text);
    }
    io::Summary s;
    s.model = deck.model();
    s.ranks = size;
    s.steps = steps;
    s.final_time = t;
    s.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    s.version = options.version;
    s.git_revision = options.git_revision;
    s.host = run.host;
    s.started = run.started;
    s.finished = now_iso8601();
    s.deck_path = deck.path();
    if (!history.empty()) s.metrics = history.back().second;
    s.metrics["run.completed"] = completed ? 1.0 : 0.0;
    if (rank == 0) io::write_summary((out_dir / "summary.json").string(), s);
    MPI_Barrier(comm);
    return s;
  };

  auto record = [&](double time) {
    diagnostics.check_health(time);
    Metrics m = diagnostics.evaluate(time, time >= t_end);
    write_snapshot(time, *model, fields.get(), particles.get());
    history.emplace_back(time, std::move(m));
  };

  try {
    if (options.restart.empty()) record(t);
    for (size_t k = first_target; k < times.size(); ++k) {
      const double target = times[k];
      while (t < target * (1.0 - 1e-14) - 1e-300) {
        double dt = fixed_dt > 0.0 ? fixed_dt : std::numeric_limits<double>::infinity();
        if (fixed_dt <= 0.0) {
          if (model->eulerian) dt = std::min(dt, model->eulerian->stable_dt(t));
          if (model->lagrangian) dt = std::min(dt, model->lagrangian->stable_dt(t));
          if (!std::isfinite(dt)) dt = (times[k] - times[k - 1]) / 100.0;
        }
        // Land exactly on the output time, without a sliver step just before it.
        const double remaining = target - t;
        if (dt >= remaining)
          dt = remaining;
        else if (1.5 * dt > remaining)
          dt = 0.5 * remaining;
        if (model->eulerian) model->eulerian->advance(t, dt);
        if (model->lagrangian) model->lagrangian->advance(t, dt);
        t = (target - (t + dt) < 1e-14 * std::max(1.0, std::abs(target))) ? target : t + dt;
        ++steps;
        last_dt = dt;
        diagnostics.check_health(t);
        std::string key;
        if (model->eulerian) {
          PetscScalar s = 0.0;
          PetscCallThrow(VecSum(model->eulerian->density(), &s));
          char buf[64];
          std::snprintf(buf, sizeof buf, "mass = %.10f", s * model->eulerian->grid().cell_volume());
          key = buf;
        }
        progress.update(steps, t, dt, key);
        // Rank 0's clock decides the wall-time checkpoints; any rank's signal stops everyone.
        int flags[2] = {g_stop_signal != 0, 0};
        if (rank == 0 && checkpoint_seconds > 0.0)
          flags[1] = std::chrono::duration<double>(std::chrono::steady_clock::now() - last_checkpoint).count() >= checkpoint_seconds;
        if (checkpoint_steps > 0 && steps % checkpoint_steps == 0) flags[1] = 1;
        MPI_Allreduce(MPI_IN_PLACE, flags, 2, MPI_INT, MPI_MAX, comm);
        const bool at_output = t >= target;
        if (flags[0]) {
          // The output time just reached is recorded first, so nothing is lost or done twice.
          if (at_output) record(t);
          checkpoint(at_output ? k + 1 : k);
          if (talk) std::printf("signal received: checkpoint written to %s at t = %.6g\n", checkpoint_path.c_str(), t);
          publish(false);
          throw RunInterrupted{checkpoint_path};
        }
        if (flags[1] && !at_output) checkpoint(k);
      }
      record(t);
      if (checkpoint_steps > 0 || checkpoint_seconds > 0.0) checkpoint(k + 1);
      progress.update(steps, t, last_dt, "output " + std::to_string(k) + "/" + std::to_string(times.size() - 1), true);
    }
  } catch (const RunInterrupted&) {
    throw;
  } catch (const SolverError& e) {
    if (rank == 0) std::fprintf(stderr, "measureflow: %s; last good output kept in %s\n", e.what(), out_dir.c_str());
    publish(false);
    throw;
  }
  io::Summary s = publish(true);
  if (talk) print_metric_table(s.metrics);
  return s;
}

}  // namespace mf
