// The Driver's time loop. Reads top to bottom as the life of a run:
//   1. build the model's views from the deck (may still fail on input files: nothing written yet)
//   2. on --restart: refuse a model that cannot continue exactly, else restore the views
//   3. create the output folder (Publisher), write the resolved deck
//   4. step every view to each output time, checking health every step; a model whose views are a
//      whole path (Model::output_times(), e.g. dynamic OT) is visited at its output times directly
//   5. at each output time: diagnostics, snapshots, progress; checkpoints as CheckpointPolicy says
//   6. publish fields.h5, particles.h5, run.xmf, diagnostics.csv, summary.json (each atomically)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>

#include "checkpoint_policy.hpp"
#include "fault_injection.hpp"
#include "measureflow/checkpoint.hpp"
#include "measureflow/deck.hpp"
#include "measureflow/diagnostics.hpp"
#include "measureflow/driver.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/model.hpp"
#include "measureflow/petsc_check.hpp"
#include "measureflow/progress.hpp"
#include "publisher.hpp"

namespace mf {

namespace {

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

DiagnosticsOptions diagnostics_options(const Deck& deck) {
  DiagnosticsOptions o;
  const std::string w2_when = deck.text("diagnostics.w2");
  o.w2_when = w2_when == "none"      ? DiagnosticsOptions::W2When::None
              : w2_when == "outputs" ? DiagnosticsOptions::W2When::Outputs
                                     : DiagnosticsOptions::W2When::Final;
  o.w2_eps = deck.real("diagnostics.w2_eps");
  o.w2_points = deck.integer("diagnostics.w2_points");
  o.w2_particles = deck.integer("diagnostics.w2_particles");
  return o;
}

// --restart of a model one of whose views cannot continue exactly is an input error, decided before
// anything is written.
void refuse_inexact_restart(const Model& model, const std::string& checkpoint) {
  const std::pair<const char*, const RestartableView*> views[] = {
      {"eulerian", model.eulerian.get()}, {"lagrangian", model.lagrangian.get()}, {"closed_form", model.closed_form.get()}};
  for (const auto& [name, view] : views) {
    if (!view) continue;
    const RestartSupport r = view->restart_support();
    if (!r.exact)
      throw InputError("--restart " + checkpoint + ": the " + name + " view of this model cannot continue exactly (" +
                       r.reason + "); start the run afresh instead");
  }
}

// The step from t towards `target`: the views' stable step (or the deck's time.dt), landing exactly on
// the output time without a sliver step just before it. A path model goes straight to the target.
double next_step(Model& model, double t, double target, double interval, double fixed_dt, bool path_model) {
  if (path_model) return target - t;
  double dt = fixed_dt > 0.0 ? fixed_dt : std::numeric_limits<double>::infinity();
  if (fixed_dt <= 0.0) {
    if (model.eulerian) dt = std::min(dt, model.eulerian->stable_dt(t));
    if (model.lagrangian) dt = std::min(dt, model.lagrangian->stable_dt(t));
    if (!std::isfinite(dt)) dt = interval / 100.0;
  }
  const double remaining = target - t;
  if (dt >= remaining) return remaining;
  if (1.5 * dt > remaining) return 0.5 * remaining;
  return dt;
}

std::string mass_text(const Model& model) {
  if (!model.eulerian) return {};
  PetscScalar s = 0.0;
  PetscCallThrow(VecSum(model.eulerian->density(), &s));
  char buf[64];
  std::snprintf(buf, sizeof buf, "mass = %.10f", s * model.eulerian->grid().cell_volume());
  return buf;
}

void print_metric_table(const Metrics& m) {
  std::printf("\n%-40s %s\n", "metric", "value");
  for (const auto& [k, v] : m) std::printf("%-40s %.6e\n", k.c_str(), v);
  std::fflush(stdout);
}

}  // namespace

io::Summary run_deck(const Deck& deck, MPI_Comm comm, const RunOptions& options) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  const bool talk = rank == 0 && !options.quiet && !deck.flag("output.quiet");

  // 1. The model and its views.
  std::unique_ptr<Model> model = model_factory(deck.model())(deck, comm);
  const bool restarting = !options.restart.empty();
  // 2. A restarted run appends to the files the first run published, after dropping later snapshots.
  std::optional<double> resume_time;
  if (restarting) {
    refuse_inexact_restart(*model, options.restart);
    resume_time = checkpoint_time(options.restart, comm);
  }
  // 3. Output folder.
  Publisher publisher(deck, comm, *model, options, resume_time);
  Diagnostics diagnostics(*model, comm, diagnostics_options(deck));

  MetricHistory history;
  const std::vector<double> times = output_times(deck, *model);
  const double t_end = times.back();
  const double fixed_dt = deck.has("time.dt") ? deck.real("time.dt") : 0.0;
  const bool path_model = !model->output_times().empty();
  Progress progress(talk, t_end);
  double t = times.front();
  long long steps = 0;
  double last_dt = 0.0;
  size_t first_target = 1;
  if (restarting) {
    const CheckpointState st = read_checkpoint(options.restart, comm, *model);
    t = st.time;
    steps = st.steps;
    first_target = static_cast<size_t>(st.next_output);
    history = st.history;
    diagnostics.restore(st.baseline);
    if (talk) std::printf("restarting from %s at t = %.6g, step %lld\n", options.restart.c_str(), t, steps);
  }
  CheckpointPolicy policy(deck, comm, (publisher.out_dir() / "checkpoint.h5").string());
  auto write_state = [&](size_t next_output) {
    CheckpointState st;
    st.time = t;
    st.steps = steps;
    st.next_output = static_cast<long long>(next_output);
    st.history = history;
    st.baseline = diagnostics.baseline();
    st.deck_yaml = deck.resolved_yaml();
    write_checkpoint(policy.path(), comm, st, *model);
    policy.written();
  };
  // The published output is brought up to date first, so it never lags behind the checkpoint (a run
  // killed between the two restarts from the older checkpoint and rewrites the later snapshots).
  auto checkpoint = [&](size_t next_output) {
    publisher.publish_and_continue(history, steps, t);
    write_state(next_output);
  };
  auto record = [&](double time) {
    diagnostics.check_health(time);
    Metrics m = diagnostics.evaluate(time, time >= t_end);
    publisher.snapshot(time);
    history.emplace_back(time, std::move(m));
  };

  // 4.–5. Step to each output time.
  try {
    if (!restarting) record(t);
    for (size_t k = first_target; k < times.size(); ++k) {
      const double target = times[k];
      while (t < target * (1.0 - 1e-14) - 1e-300) {
        const double dt = next_step(*model, t, target, times[k] - times[k - 1], fixed_dt, path_model);
        if (model->eulerian) model->eulerian->advance(t, dt);
        if (model->lagrangian) model->lagrangian->advance(t, dt);
        t = (target - (t + dt) < 1e-14 * std::max(1.0, std::abs(target))) ? target : t + dt;
        ++steps;
        last_dt = dt;
        if (test_hooks().nan_at_step == steps) inject_nan(*model, rank);
        diagnostics.check_health(t);
        progress.update(steps, t, dt, mass_text(*model));
        const CheckpointPolicy::Verdict v = policy.after_step(steps);
        const bool at_output = t >= target;
        if (v.stop) {
          // The output time just reached is recorded first, so nothing is lost or done twice.
          if (at_output) record(t);
          publisher.publish(history, steps, t, false);
          write_state(at_output ? k + 1 : k);
          if (talk) std::printf("signal received: checkpoint written to %s at t = %.6g\n", policy.path().c_str(), t);
          throw RunInterrupted{policy.path()};
        }
        if (v.checkpoint && !at_output) checkpoint(k);
      }
      record(t);
      if (policy.at_outputs()) checkpoint(k + 1);
      progress.update(steps, t, last_dt, "output " + std::to_string(k) + "/" + std::to_string(times.size() - 1), true);
    }
  } catch (const RunInterrupted&) {
    throw;
  } catch (const SolverError& e) {
    if (rank == 0)
      std::fprintf(stderr, "measureflow: %s; last good output kept in %s\n", e.what(), publisher.out_dir().c_str());
    publisher.publish(history, steps, t, false);
    throw;
  } catch (...) {
    // Not a numerical failure (e.g. the disk is full): what was published before stays untouched.
    publisher.abandon();
    throw;
  }
  // 6. Publication.
  io::Summary s = publisher.publish(history, steps, t, true);
  if (talk) print_metric_table(s.metrics);
  return s;
}

}  // namespace mf
