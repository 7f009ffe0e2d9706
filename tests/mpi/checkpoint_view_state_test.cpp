// The view-level restart hooks of checkpoint.h5: a view's own state (replicated reals and integers,
// per-rank values, a grid vector) comes back bit for bit on the same rank count, replicated values and
// grid vectors on one rank too, and a view that does not override the hooks is refused with InputError.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "continuity_fixtures.hpp"
#include "mpi_comm_info.hpp"
#include "shared_scratch.hpp"
#include "measureflow/checkpoint.hpp"
#include "measureflow/environment.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/grid_field.hpp"
#include "measureflow/measures.hpp"
#include "measureflow/petsc_check.hpp"

using namespace mf;

namespace {

using mf::testing::rank_of;


// A grid view whose state is a few odd numbers and a second grid vector.
class StatefulView : public EulerianView {
 public:
  StatefulView(MPI_Comm comm, bool restartable)
      : grid_(comm, mf::testing::box_grid(2, -1, 1, 12, Boundary::Periodic), 1), density_(grid_.create_global()),
        extra_(grid_.create_global()), restartable_(restartable) {
    fill_cell_averages(grid_, [](const double* x) { return std::exp(-x[0] * x[0]) + 0.1 * x[1]; }, density_);
    fill_cell_averages(grid_, [](const double* x) { return std::sin(3.0 * x[0]) * x[1] / 7.0; }, extra_);
  }
  const Grid& grid() const override { return grid_; }
  Vec density() const override { return density_; }
  void advance(double, double) override {}
  RestartSupport restart_support() const override {
    return restartable_ ? RestartSupport::yes() : EulerianView::restart_support();
  }
  void save_state(ViewStateWriter& out) const override {
    out.put_reals("history", history);
    out.put_integers("counter", {counter});
    out.put_rank_reals("per_rank", per_rank);
    out.put_grid_vector("extra", grid_, extra_);
  }
  void restore_state(const ViewStateReader& in) override {
    history = in.reals("history");
    counter = in.integers("counter").at(0);
    int size = 1;
    MPI_Comm_size(grid_.comm(), &size);
    if (in.ranks_written() == size) per_rank = in.rank_reals("per_rank");
    in.grid_vector("extra", grid_, extra_);
    restored_time = in.time();
  }
  Vec extra() const { return extra_; }
  std::vector<double> history{1.0 / 3.0, -0.0, 1e-300, std::nextafter(1.0, 2.0)};
  long long counter = 9007199254740993LL;  // not representable as a double
  std::vector<double> per_rank;
  double restored_time = -1.0;

 private:
  Grid grid_;
  VecHandle density_, extra_;
  bool restartable_;
};

std::string temp_path(const char* tag) {
  return mf::testing::shared_scratch_path("mf_view_state_" + std::string(tag), ".h5").string();
}

}  // namespace

TEST(CheckpointViewState, RoundTripIsBitwiseOnTheSameRankCount) {
  const std::string path = temp_path("same");
  Model written;
  auto v = std::make_unique<StatefulView>(MPI_COMM_WORLD, true);
  v->per_rank = {static_cast<double>(rank_of(MPI_COMM_WORLD)) + 0.25, 2.0};
  StatefulView* w = v.get();
  written.eulerian = std::move(v);
  CheckpointState st;
  st.time = 0.625;
  write_checkpoint(path, MPI_COMM_WORLD, st, written);

  Model read;
  auto r = std::make_unique<StatefulView>(MPI_COMM_WORLD, true);
  StatefulView* b = r.get();
  b->history.clear();
  b->counter = 0;
  PetscCallThrow(VecSet(b->extra(), 0.0));
  PetscCallThrow(VecSet(b->density(), 0.0));
  read.eulerian = std::move(r);
  read_checkpoint(path, MPI_COMM_WORLD, read);
  ASSERT_EQ(b->history.size(), w->history.size());
  for (std::size_t i = 0; i < w->history.size(); ++i) EXPECT_EQ(std::signbit(b->history[i]), std::signbit(w->history[i]));
  EXPECT_EQ(b->history, w->history);
  EXPECT_EQ(b->counter, w->counter);
  EXPECT_EQ(b->per_rank, w->per_rank);
  EXPECT_EQ(b->restored_time, 0.625);
  EXPECT_EQ(gather_natural(b->grid(), b->extra()), gather_natural(w->grid(), w->extra()));
  EXPECT_EQ(gather_natural(b->grid(), b->density()), gather_natural(w->grid(), w->density()));
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank_of(MPI_COMM_WORLD) == 0) std::remove(path.c_str());
}

TEST(CheckpointViewState, ReplicatedStateAndGridVectorsReadOnOneRank) {
  const std::string path = temp_path("serial");
  Model written;
  auto v = std::make_unique<StatefulView>(MPI_COMM_WORLD, true);
  StatefulView* w = v.get();
  written.eulerian = std::move(v);
  CheckpointState st;
  st.time = 0.5;
  write_checkpoint(path, MPI_COMM_WORLD, st, written);
  const auto extra = gather_natural(w->grid(), w->extra());
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  // Every rank takes part in the same calls; the serial reads run on rank 0 only, after the collective
  // write, and their verdicts are broadcast so that no rank waits on a failed one.
  int ok = 1;
  if (rank_of(MPI_COMM_WORLD) == 0) {
    Model read;
    auto r = std::make_unique<StatefulView>(MPI_COMM_SELF, true);
    StatefulView* b = r.get();
    b->history.clear();
    read.eulerian = std::move(r);
    read_checkpoint(path, MPI_COMM_SELF, read);
    ok = b->history == w->history && b->counter == w->counter &&
         gather_natural(b->grid(), b->extra()) == extra && (size == 1 || b->per_rank.empty());
    std::remove(path.c_str());
  }
  MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
  EXPECT_TRUE(ok);
}

TEST(CheckpointViewState, AViewWithoutHooksIsRefused) {
  const std::string path = temp_path("refused");
  Model written;
  written.eulerian = std::make_unique<StatefulView>(MPI_COMM_WORLD, true);
  CheckpointState st;
  write_checkpoint(path, MPI_COMM_WORLD, st, written);
  Model read;
  read.eulerian = std::make_unique<StatefulView>(MPI_COMM_WORLD, false);
  try {
    read_checkpoint(path, MPI_COMM_WORLD, read);
    ADD_FAILURE() << "read_checkpoint accepted a view that cannot restart";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("eulerian view"), std::string::npos) << what;
    EXPECT_NE(what.find("restart_support"), std::string::npos) << what;
  }
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank_of(MPI_COMM_WORLD) == 0) std::remove(path.c_str());
}
