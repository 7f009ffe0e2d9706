// Model registry: name → factory, with each model's schema registered beside it for validation/help.
#include <map>
#include <stdexcept>

#include "measureflow/errors.hpp"
#include "measureflow/model.hpp"
#include "measureflow/schema.hpp"
#include "models/model_list.hpp"

namespace mf {

namespace {
std::map<std::string, ModelFactory>& factories() {
  static std::map<std::string, ModelFactory> f;
  return f;
}
}  // namespace

void register_model(const std::string& name, const std::string& one_line_doc, std::function<void(Schema&)> declare_keys,
                    ModelFactory factory) {
  if (factories().count(name)) return;  // idempotent: tests and main may both register
  register_model_schema(name, std::move(declare_keys), one_line_doc);
  factories()[name] = std::move(factory);
}

ModelFactory model_factory(const std::string& name) {
  auto it = factories().find(name);
  if (it == factories().end()) throw InputError("unknown model '" + name + "'");
  return it->second;
}

void register_all_models() {
  continuity::register_continuity_model();
  dynamic_ot::register_dynamic_ot_model();
  gradient_flow::register_gradient_flow_model();
  reconstruction::register_reconstruction_model();
  transformer::register_transformer_model();
  flow_matching::register_flow_matching_model();
  mean_field::register_mean_field_model();
  static_ot::register_static_ot_model();
}

}  // namespace mf
