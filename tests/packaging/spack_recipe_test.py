#!/usr/bin/python3
"""spack/package.py parses and declares what the build needs, without Spack: a minimal stand-in for the
names `from spack.package import *` provides (CMakePackage, version, variant, depends_on) records the
directives, then the recipe is imported and checked against cmake/Dependencies.cmake and the CMake
options it passes.
  spack_recipe_test.py SOURCE_DIR"""
import importlib.util
import os
import re
import sys
import types

src = sys.argv[1]
failures = []


def expect(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


directives = {"version": [], "variant": [], "depends_on": []}


def recorder(kind):
    def record(*args, **kwargs):
        directives[kind].append((args, kwargs))
    return record


class Spec:
    """The part of spack.spec.Spec a recipe's cmake_args reads: `+name` membership of variants."""

    def __init__(self, enabled):
        self.enabled = set(enabled)

    def satisfies(self, text):
        return text.lstrip("+") in self.enabled

    def __contains__(self, text):
        return self.satisfies(text)


class CMakePackage:
    """Stand-in for Spack's CMakePackage: define() and define_from_variant() as documented
    (https://spack.readthedocs.io/en/latest/build_systems/cmakepackage.html)."""

    spec = Spec([])

    @staticmethod
    def define(name, value):
        if isinstance(value, bool):
            value = "ON" if value else "OFF"
        return f"-D{name}={value}"

    def define_from_variant(self, name, variant):
        return self.define(name, self.spec.satisfies("+" + variant))


package_module = types.ModuleType("spack.package")
package_module.CMakePackage = CMakePackage
for kind in directives:
    setattr(package_module, kind, recorder(kind))
package_module.__all__ = ["CMakePackage", *directives]
spack_module = types.ModuleType("spack")
spack_module.package = package_module
sys.modules["spack"] = spack_module
sys.modules["spack.package"] = package_module

recipe_path = os.path.join(src, "spack", "package.py")
spec = importlib.util.spec_from_file_location("measureflow_spack_recipe", recipe_path)
recipe = importlib.util.module_from_spec(spec)
spec.loader.exec_module(recipe)

cls = getattr(recipe, "Measureflow", None)
expect(cls is not None and issubclass(cls, CMakePackage), "class Measureflow(CMakePackage) (Spack's name for package measureflow)")
expect(bool((cls.__doc__ or "").strip()), "the recipe has a description (docstring)")
expect(hasattr(cls, "homepage") and (hasattr(cls, "git") or hasattr(cls, "url")), "homepage and a source (git or url)")
expect(len(directives["version"]) >= 1, "at least one version")

variants = {args[0]: kwargs for args, kwargs in directives["variant"]}
for name in ("tests", "native", "postprocess", "paraview"):
    expect(name in variants and "description" in variants[name] and isinstance(variants[name].get("default"), bool),
           f"variant {name} with a boolean default and a description")

deps = {}
for args, kwargs in directives["depends_on"]:
    name = re.split(r"[@+~ ]", args[0])[0]
    deps[name] = kwargs
# Everything cmake/Dependencies.cmake finds must be a dependency (Spack names).
needed = {"MPI": "mpi", "PETSc": "petsc", "hdf5": "hdf5", "yaml-cpp": "yaml-cpp", "Kokkos": "kokkos",
          "Eigen3": "eigen", "nlohmann_json": "nlohmann-json", "CLI11": "cli11", "Random123": "random123",
          "LEMON": "lemon",
          "GTest": "googletest"}
deps_cmake = open(os.path.join(src, "cmake", "Dependencies.cmake")).read()
for cmake_name, spack_name in needed.items():
    if cmake_name in deps_cmake:
        expect(spack_name in deps, f"{cmake_name} (found by cmake/Dependencies.cmake) is depends_on('{spack_name}')")
expect("cmake" in deps and deps["cmake"].get("type") == "build", "cmake is a build dependency")
expect(deps.get("googletest", {}).get("when") == "+tests", "googletest only with +tests")

# cmake_args maps the variants onto the CMake options the project defines.
top = open(os.path.join(src, "CMakeLists.txt")).read()
for enabled, want in ((["tests", "native"], "ON"), ([], "OFF")):
    pkg = cls.__new__(cls)
    pkg.spec = Spec(enabled)
    args = pkg.cmake_args()
    for option in ("MF_BUILD_TESTS", "MEASUREFLOW_NATIVE"):
        expect(f"-D{option}={want}" in args, f"cmake_args gives -D{option}={want} for variants {enabled or 'none'}")
for option in re.findall(r"-D([A-Z_]+)=", " ".join(cls.__new__(cls).cmake_args())):
    expect(f"option({option}" in top, f"{option} is an option() of CMakeLists.txt")

print("spack recipe:", "FAILED" if failures else "ok")
sys.exit(1 if failures else 0)
