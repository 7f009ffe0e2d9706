// The continuity model built from its configuration (the deck is read in continuity_deck.cpp).
#pragma once
#include <mpi.h>

#include <memory>

#include "continuity_config.hpp"
#include "measureflow/model.hpp"

namespace mf::continuity {

std::unique_ptr<Model> build_continuity_model(const ContinuityConfig& config, MPI_Comm comm);

}  // namespace mf::continuity
