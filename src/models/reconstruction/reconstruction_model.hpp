// Builds the reconstruction model from its configuration (the deck mapping is in reconstruction_deck.cpp).
#pragma once
#include <memory>

#include "measureflow/model.hpp"
#include "models/reconstruction/reconstruction_config.hpp"
#include "models/reconstruction/reconstruction_views.hpp"

namespace mf::reconstruction {
std::unique_ptr<Model> build_reconstruction_model(const ReconstructionConfig& config, MPI_Comm comm);
}
