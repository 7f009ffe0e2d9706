// A view's own part of checkpoint.h5: the state its next step reads beyond the grid density and the
// particles, which the Driver saves itself (multistep history, counters, metric trajectories, caches).
// Each view writes into its own group (`views/eulerian`, `views/lagrangian`, `views/closed_form`);
// the Driver knows nothing of what is inside. Values are stored as binary doubles and 64-bit integers,
// so a restored view continues bit for bit.
#pragma once
#include <petscvec.h>

#include <string>
#include <utility>
#include <vector>

namespace mf {

class Grid;

class ViewStateWriter {
 public:
  virtual ~ViewStateWriter() = default;
  // Values every rank holds alike (rank 0's copy is written). Collective.
  virtual void put_reals(const std::string& name, const std::vector<double>& values) = 0;
  virtual void put_integers(const std::string& name, const std::vector<long long>& values) = 0;
  // Values that differ by rank (e.g. a per-rank counter): the rank-count-independent summary is up to
  // the view; these are read back only on the same rank count. Collective.
  virtual void put_rank_reals(const std::string& name, const std::vector<double>& local) = 0;
  // A global vector on `grid` (one dof per cell), in the natural [nz][ny][nx] layout. Collective.
  virtual void put_grid_vector(const std::string& name, const Grid& grid, Vec v) = 0;
};

class ViewStateReader {
 public:
  virtual ~ViewStateReader() = default;
  // Time of the checkpoint and the rank count of the run that wrote it.
  virtual double time() const = 0;
  virtual int ranks_written() const = 0;
  virtual bool has(const std::string& name) const = 0;
  // The values written under `name`; throw InputError naming the checkpoint and the dataset if absent.
  virtual std::vector<double> reals(const std::string& name) const = 0;
  virtual std::vector<long long> integers(const std::string& name) const = 0;
  // This rank's values of put_rank_reals (same rank count only: InputError otherwise).
  virtual std::vector<double> rank_reals(const std::string& name) const = 0;
  virtual void grid_vector(const std::string& name, const Grid& grid, Vec v) const = 0;
};

// What a view answers when asked whether it can continue exactly from a checkpoint.
struct RestartSupport {
  bool exact = false;
  std::string reason;  // why not (when exact is false)
  static RestartSupport yes() { return {true, {}}; }
  static RestartSupport no(std::string why) { return {false, std::move(why)}; }
};

// The restart hooks every view interface inherits. The defaults refuse: a view that does not say what
// its next step reads cannot promise an exact continuation, so `--restart` stops with exit 2 naming
// the view and this reason (a new model compiles and runs; it just cannot be restarted yet).
class RestartableView {
 public:
  virtual ~RestartableView() = default;
  virtual RestartSupport restart_support() const {
    return RestartSupport::no("it does not override restart_support()/save_state()/restore_state() to say what "
                              "its next step reads");
  }
  // Called after the Driver wrote the density / particles; writes everything else the next step reads.
  virtual void save_state(ViewStateWriter& out) const {}
  // Called after the Driver restored the density / particles (so a view may rebuild what derives from
  // them, e.g. a frozen potential).
  virtual void restore_state(const ViewStateReader& in) {}
};

}  // namespace mf
