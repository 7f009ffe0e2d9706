# Spack recipe for MeasureFlow (Spack's CMakePackage API; see docs/install.md for its use):
#   spack repo create ~/spack-mf && mkdir -p ~/spack-mf/packages/measureflow
#   cp spack/package.py ~/spack-mf/packages/measureflow/ && spack repo add ~/spack-mf
#   spack install measureflow +tests
from spack.package import *


class Measureflow(CMakePackage):
    """Evolving probability measures solved three ways that must agree: an Eulerian grid (PETSc DMDA),
    Lagrangian particles (Kokkos) and closed forms, compared with optimal-transport metrics; MPI throughout."""

    homepage = "https://github.com/measureflow/measureflow"
    git = "https://github.com/measureflow/measureflow.git"

    version("main", branch="main")

    variant("tests", default=False, description="Build the GoogleTest suite (ctest)")
    variant("native", default=False,
            description="Compile for the build machine's CPU (-march=native); off for login-node builds")
    variant("postprocess", default=False,
            description="Python tools for postprocess/ (h5py, NumPy, Matplotlib, SciPy, POT)")
    variant("paraview", default=False, description="ParaView with Python for postprocess/render.py")

    depends_on("cmake@3.20:", type="build")
    depends_on("pkgconfig", type="build")

    depends_on("mpi")
    depends_on("petsc@3.18: +mpi +hdf5")
    depends_on("hdf5@1.10: +mpi")
    depends_on("yaml-cpp@0.7:")
    depends_on("kokkos@3.4:")
    depends_on("eigen@3.4:")
    depends_on("nlohmann-json@3.10:")
    depends_on("cli11@2.1:", type="build")
    depends_on("random123@1.14:")
    depends_on("lemon@1.3:")
    depends_on("googletest@1.12:", type=("build", "link"), when="+tests")

    depends_on("python@3.9:", type="run", when="+postprocess")
    depends_on("py-h5py +mpi", type="run", when="+postprocess")
    depends_on("py-numpy", type="run", when="+postprocess")
    depends_on("py-matplotlib", type="run", when="+postprocess")
    depends_on("py-scipy", type="run", when="+postprocess")
    depends_on("py-pot", type="run", when="+postprocess")
    depends_on("paraview +python", type="run", when="+paraview")

    def cmake_args(self):
        return [
            self.define_from_variant("MF_BUILD_TESTS", "tests"),
            self.define_from_variant("MEASUREFLOW_NATIVE", "native"),
        ]
