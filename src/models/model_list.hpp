// One registration function per model folder; register_all_models() calls them all.
#pragma once

namespace mf::continuity {
void register_continuity_model();
}
namespace mf::dynamic_ot {
void register_dynamic_ot_model();
}
namespace mf::gradient_flow {
void register_gradient_flow_model();
}
namespace mf::reconstruction {
void register_reconstruction_model();
}
namespace mf::transformer {
void register_transformer_model();
}
namespace mf::flow_matching {
void register_flow_matching_model();
}
namespace mf::mean_field {
void register_mean_field_model();
}
namespace mf::static_ot {
void register_static_ot_model();
}
