// Declares the continuity model's deck keys.
#pragma once

namespace mf {
class Schema;
}

namespace mf::continuity {
void declare_continuity_keys(Schema& s);
}
