// run.xmf: the XDMF description that lets ParaView open fields.h5 and particles.h5 as one time series.
#pragma once
#include <string>

#include "measureflow/io/field_file.hpp"
#include "measureflow/io/particle_file.hpp"

namespace mf::io {

// Temporal collection with one step per distinct output time; each step is a spatial collection holding the
// grid (3DCoRectMesh, fields as cell data; 1D/2D padded with leading axes of one cell
// centred on 0) and/or the particles (Polyvertex
// with explicit connectivity, weights and ids as point data) written at that time. Either writer may be null.
// HDF5 paths inside are relative to the .xmf folder. Call on rank 0 (writes the file atomically).
void write_xdmf(const std::string& xmf_path, const FieldFileWriter* fields, const ParticleFileWriter* particles);

// The XML text write_xdmf would write (exposed for tests and for callers that publish it themselves).
std::string xdmf_text(const std::string& xmf_path, const FieldFileWriter* fields, const ParticleFileWriter* particles);

}  // namespace mf::io
