#include "measureflow/grid_field.hpp"

namespace mf {

VecBlockWrite::VecBlockWrite(Vec v, const IndexBox& box) : v_(v) {
  PetscCallThrow(VecGetArray(v_, &data_));
  view_ = HostBlockView(data_, box.count[2], box.count[1], box.count[0]);
}

VecBlockWrite::~VecBlockWrite() { (void)VecRestoreArray(v_, &data_); }

VecBlockRead::VecBlockRead(Vec v, const IndexBox& box) : v_(v) {
  PetscCallThrow(VecGetArrayRead(v_, &data_));
  view_ = ConstHostBlockView(data_, box.count[2], box.count[1], box.count[0]);
}

VecBlockRead::~VecBlockRead() { (void)VecRestoreArrayRead(v_, &data_); }

}  // namespace mf
