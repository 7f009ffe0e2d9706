// A hint that a large buffer about to be written for the first time should be backed by transparent huge
// pages (2 MiB) where the system grants them only on request (/sys/kernel/mm/transparent_hugepage/enabled
// set to `madvise`, as on the development machine).
//
// Why: the yardstick's stored kernel at its 2ε stage is written once into fresh memory, 12 bytes per kept
// pair (3.5·10⁷ pairs per orientation on linear_3d: ~420 MB), and with 4 KiB pages the page faults of that
// first touch were the largest single part of a kernel build (docs/yardstick.md, "Kernel builds"). Only a
// hint: where it is refused or not available nothing changes, and no number depends on it.
#pragma once
#include <cstddef>

namespace mf::ot::detail {

// Advises the whole 4 KiB pages inside [p, p + bytes); does nothing below a few MiB or off Linux.
void advise_huge_pages(const void* p, std::size_t bytes);

}  // namespace mf::ot::detail
