#include "space_time_field.hpp"

#include "measureflow/petsc_check.hpp"

namespace mf::dynamic_ot {

StBlockWrite::StBlockWrite(Vec v, const Box4& box) : v_(v) {
  PetscCallThrow(VecGetArray(v_, &data_));
  view_ = StView(data_, box.count[2], box.count[1], box.count[0], box.count[3]);
}

StBlockWrite::~StBlockWrite() { (void)VecRestoreArray(v_, &data_); }

StBlockRead::StBlockRead(Vec v, const Box4& box) : v_(v) {
  PetscCallThrow(VecGetArrayRead(v_, &data_));
  view_ = ConstStView(data_, box.count[2], box.count[1], box.count[0], box.count[3]);
}

StBlockRead::~StBlockRead() { (void)VecRestoreArrayRead(v_, &data_); }

}  // namespace mf::dynamic_ot
