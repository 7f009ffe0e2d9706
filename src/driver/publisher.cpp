// Output folder of a run: snapshots while it goes, publication (atomic per file) at the end, before each
// checkpoint, and after a numerical failure.
#include "publisher.hpp"

#include <unistd.h>

#include <ctime>
#include <set>
#include <sstream>

#include "measureflow/deck.hpp"
#include "measureflow/grid_field.hpp"
#include "measureflow/io/xdmf.hpp"

namespace mf {

namespace {

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

}  // namespace

std::string history_csv(const MetricHistory& history) {
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

Publisher::Publisher(const Deck& deck, MPI_Comm comm, Model& model, const RunOptions& options,
                     std::optional<double> resume_time)
    : deck_(deck), comm_(comm), model_(model), options_(options), out_dir_(deck.text("output.dir")),
      wall_start_(std::chrono::steady_clock::now()) {
  MPI_Comm_rank(comm, &rank_);
  MPI_Comm_size(comm, &size_);
  if (rank_ == 0) std::filesystem::create_directories(out_dir_);
  MPI_Barrier(comm);
  if (rank_ == 0) io::write_text_atomically((out_dir_ / "deck.resolved.yaml").string(), deck.resolved_yaml());
  run_ = io::RunInfo{deck.resolved_yaml(), options.version, options.git_revision, size_, host_name(), now_iso8601()};
  open_files(resume_time);
}

void Publisher::open_files(std::optional<double> resume_time) {
  if (model_.eulerian) {
    const GridSpec& g = model_.eulerian->grid().spec();
    io::GridInfo info{g.dim, {}, {}, {}};
    for (int a = 0; a < g.dim; ++a) {
      info.lower.push_back(g.lower[a]);
      info.upper.push_back(g.upper[a]);
      info.cells.push_back(g.cells[a]);
    }
    const std::string path = (out_dir_ / "fields.h5").string();
    fields_.reset();  // a finished writer closes nothing more
    fields_ = resume_time ? std::make_unique<io::FieldFileWriter>(comm_, path, run_, info, *resume_time)
                          : std::make_unique<io::FieldFileWriter>(comm_, path, run_, info);
  }
  if (model_.lagrangian) {
    const std::string path = (out_dir_ / "particles.h5").string();
    const int dim = model_.lagrangian->particles().dim();
    particles_.reset();
    particles_ = resume_time ? std::make_unique<io::ParticleFileWriter>(comm_, path, run_, dim, *resume_time)
                             : std::make_unique<io::ParticleFileWriter>(comm_, path, run_, dim);
  }
}

void Publisher::snapshot(double t) {
  if (fields_) {
    EulerianView& e = *model_.eulerian;
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
    fields_->write_snapshot(t, block, arrays);
  }
  if (particles_) {
    const ParticleSet& p = model_.lagrangian->particles();
    auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.positions);
    auto w = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.weights);
    auto id = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.ids);
    const std::vector<LagrangianView::ParticleArray> arrays = model_.lagrangian->extra_arrays();
    std::vector<io::ParticleFileWriter::Extra> extras;
    for (const auto& a : arrays) extras.push_back({a.name, a.columns, a.values.data()});
    particles_->write_snapshot(t, p.size(), x.data(), w.data(), id.data(), extras);
  }
}

io::Summary Publisher::publish(const MetricHistory& history, long long steps, double t, bool completed) {
  if (fields_) fields_->finish();
  if (particles_) particles_->finish();
  if (rank_ == 0) {
    io::write_xdmf((out_dir_ / "run.xmf").string(), fields_.get(), particles_.get());
    io::write_text_atomically((out_dir_ / "diagnostics.csv").string(), history_csv(history));
    for (const auto& [name, text] : model_.extra_text_files()) io::write_text_atomically((out_dir_ / name).string(), text);
  }
  io::Summary s;
  s.model = deck_.model();
  s.ranks = size_;
  s.steps = steps;
  s.final_time = t;
  s.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start_).count();
  s.version = options_.version;
  s.git_revision = options_.git_revision;
  s.host = run_.host;
  s.started = run_.started;
  s.finished = now_iso8601();
  s.deck_path = deck_.path();
  if (!history.empty()) s.metrics = history.back().second;
  s.metrics["run.completed"] = completed ? 1.0 : 0.0;
  if (rank_ == 0) io::write_summary((out_dir_ / "summary.json").string(), s);
  MPI_Barrier(comm_);
  return s;
}

void Publisher::abandon() {
  if (fields_) fields_->abandon();
  if (particles_) particles_->abandon();
}

void Publisher::publish_and_continue(const MetricHistory& history, long long steps, double t) {
  publish(history, steps, t, false);
  open_files(t);
}

}  // namespace mf
