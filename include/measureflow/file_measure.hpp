// `initial.type: file` (and `target.type: file`): a measure stored by an earlier run.
#pragma once
#include <memory>
#include <string>

#include "measureflow/measures.hpp"

namespace mf {

// The grid snapshot (fields.h5) or point set (particles.h5, or root `positions`) stored at `path`,
// snapshot `snapshot` (-1: the last); nullptr when the file holds neither, so the caller that knows the
// deck key can say so (src/setup/measure_from_deck.cpp).
std::shared_ptr<const Measure> read_file_measure(const std::string& path, int snapshot);

}  // namespace mf
