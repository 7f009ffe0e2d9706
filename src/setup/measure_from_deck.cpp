#include <yaml-cpp/yaml.h>

#include "measureflow/deck.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/file_measure.hpp"
#include "measureflow/setup_from_deck.hpp"

namespace mf {

MeasureSpec measure_spec_from_deck(const Deck& deck, const std::string& section) {
  MeasureSpec s;
  const std::string p = section + ".";
  s.type = deck.text(p + "type");
  s.dim = static_cast<int>(deck.integer("domain.dim"));
  if (s.type == "gaussian") {
    s.mean = deck.vec(p + "mean");
    s.cov = deck.mat(p + "cov");
  } else if (s.type == "mixture") {
    const YAML::Node comps = deck.node(p + "components");
    for (const auto& c : comps) {
      GaussianComponent g;
      g.weight = c["weight"].as<double>();
      g.mean = c["mean"].as<std::vector<double>>();
      g.cov = Matrix::from_rows(c["cov"].as<std::vector<std::vector<double>>>());
      s.components.push_back(std::move(g));
    }
  } else if (s.type == "uniform_box") {
    s.lower = deck.vec(p + "lower");
    s.upper = deck.vec(p + "upper");
  } else if (s.type == "uniform_ball") {
    s.center = deck.vec(p + "center");
    s.radius = deck.real(p + "radius");
  } else if (s.type == "bump") {
    s.mean = deck.vec(p + "mean");
    s.shape = deck.mat(p + "shape");
    s.power = deck.real(p + "power");
  } else if (s.type == "barenblatt") {
    s.m = deck.real(p + "m");
    s.t0 = deck.real(p + "t0");
    s.center = deck.vec(p + "center");
  } else if (s.type == "file") {
    s.path = deck.resolve_path(deck.text(p + "path"));
    s.snapshot = static_cast<int>(deck.integer(p + "snapshot"));
  }
  return s;
}

std::shared_ptr<const Measure> measure_from_deck(const Deck& deck, const std::string& section) {
  const MeasureSpec spec = measure_spec_from_deck(deck, section);
  if (spec.type != "file") return std::shared_ptr<const Measure>(make_measure(spec));
  const std::string key = section + ".path";
  std::shared_ptr<const Measure> m;
  try {
    m = read_file_measure(spec.path, spec.snapshot);
  } catch (const InputError& e) {
    // The readers name the file and the dataset; the deck file and key are added here.
    throw InputError(deck.path() + ": key '" + key + "': " + e.what());
  }
  if (!m)
    throw InputError(deck.path() + ": key '" + key + "': " + spec.path +
                     " holds neither grid snapshots (snapshots/*/density) nor a point set (positions)");
  if (m->dim() != spec.dim)
    throw InputError(deck.path() + ": key '" + key + "': " + spec.path + " is " + std::to_string(m->dim()) +
                     "-dimensional, domain.dim is " + std::to_string(spec.dim));
  return m;
}

}  // namespace mf
