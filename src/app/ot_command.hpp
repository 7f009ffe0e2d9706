// `measureflow ot A.h5 B.h5 [...]`: optimal transport between two point-set files.
#pragma once
#include <string>
#include <vector>

namespace mf {

// args are the words after `ot`. Returns the exit status (0, 2 bad input, 3 solver failure); collective
// over MPI_COMM_WORLD; only rank 0 prints.
int ot_command(const std::vector<std::string>& args);

}  // namespace mf
