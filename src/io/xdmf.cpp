// XDMF text for the field and particle snapshots, respecting ParaView's axis-order and topology conventions.
#include "measureflow/io/xdmf.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "measureflow/io/summary.hpp"

namespace mf::io {

namespace {
std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Path of `target` as seen from the folder holding the .xmf (XDMF resolves HDF5 paths from there).
std::string relative_to(const std::string& target, const std::string& xmf_path) {
  namespace fs = std::filesystem;
  fs::path folder = fs::absolute(fs::path(xmf_path)).parent_path();
  return fs::absolute(fs::path(target)).lexically_normal().lexically_relative(folder.lexically_normal()).generic_string();
}

// Names and paths go into attribute values and element text.
std::string xml(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

bool same_time(double a, double b) { return std::fabs(a - b) <= 1e-12 * std::max({1.0, std::fabs(a), std::fabs(b)}); }

void grid_xml(std::ostringstream& x, const FieldFileWriter& f, const FieldFileWriter::Record& r, const std::string& h5) {
  const GridInfo& g = f.grid();
  // Slowest axis first (z y x). An absent axis becomes one cell (two points) centred on 0, as thick as the
  // finest present spacing: with one point instead, the XDMF2 reader reads cell data wrongly (silently, a
  // value check caught it), and 2DCoRectMesh would land in the YZ plane.
  double thickness = 0;
  for (int a = 0; a < g.dim; ++a) {
    double h = (g.upper[a] - g.lower[a]) / static_cast<double>(g.cells[a]);
    thickness = a == 0 ? h : std::min(thickness, h);
  }
  std::string points, cells, origin, spacing;
  for (int a = 2; a >= 0; --a) {
    bool present = a < g.dim;
    long long n = present ? g.cells[a] : 1;
    const char* sep = a ? " " : "";
    points += std::to_string(n + 1) + sep;
    cells += std::to_string(n) + sep;
    origin += num(present ? g.lower[a] : -0.5 * thickness) + sep;
    spacing += num(present ? (g.upper[a] - g.lower[a]) / static_cast<double>(n) : thickness) + sep;
  }
  x << "      <Grid Name=\"grid\" GridType=\"Uniform\">\n"
    << "        <Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"" << points << "\"/>\n"
    << "        <Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n"
    << "          <DataItem Name=\"Origin\" Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" Format=\"XML\">"
    << origin << "</DataItem>\n"
    << "          <DataItem Name=\"Spacing\" Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" Format=\"XML\">"
    << spacing << "</DataItem>\n"
    << "        </Geometry>\n";
  for (const auto& field : r.fields) {
    x << "        <Attribute Name=\"" << xml(field) << "\" AttributeType=\"Scalar\" Center=\"Cell\">\n"
      << "          <DataItem Dimensions=\"" << cells << "\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">"
      << xml(h5) << ":/" << r.group << "/" << xml(field) << "</DataItem>\n"
      << "        </Attribute>\n";
  }
  x << "      </Grid>\n";
}

void particles_xml(std::ostringstream& x, const ParticleFileWriter& p, const ParticleFileWriter::Record& r,
                   const std::string& h5) {
  const std::string n = std::to_string(r.count);
  const std::string at = xml(h5) + ":/" + r.group + "/";
  const bool padded = p.dim() == 1;
  x << "      <Grid Name=\"particles\" GridType=\"Uniform\">\n"
    << "        <Topology TopologyType=\"Polyvertex\" NumberOfElements=\"" << n << "\" NodesPerElement=\"1\">\n"
    << "          <DataItem Dimensions=\"" << n << "\" NumberType=\"Int\" Precision=\"8\" Format=\"HDF\">" << at
    << "connectivity</DataItem>\n"
    << "        </Topology>\n"
    << "        <Geometry GeometryType=\"" << (p.dim() == 2 ? "XY" : "XYZ") << "\">\n"
    << "          <DataItem Dimensions=\"" << n << " " << (padded ? 3 : p.dim())
    << "\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">" << at << (padded ? "positions_xyz" : "positions")
    << "</DataItem>\n"
    << "        </Geometry>\n"
    << "        <Attribute Name=\"weights\" AttributeType=\"Scalar\" Center=\"Node\">\n"
    << "          <DataItem Dimensions=\"" << n << "\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">" << at
    << "weights</DataItem>\n"
    << "        </Attribute>\n"
    << "        <Attribute Name=\"ids\" AttributeType=\"Scalar\" Center=\"Node\">\n"
    << "          <DataItem Dimensions=\"" << n << "\" NumberType=\"Int\" Precision=\"8\" Format=\"HDF\">" << at
    << "ids</DataItem>\n"
    << "        </Attribute>\n";
  // Model arrays: 1 column a scalar, 3 a vector (ParaView glyphs); other widths stay in the HDF5 file only.
  for (const auto& [name, columns] : r.extras) {
    if (columns != 1 && columns != 3) continue;
    x << "        <Attribute Name=\"" << xml(name) << "\" AttributeType=\"" << (columns == 3 ? "Vector" : "Scalar")
      << "\" Center=\"Node\">\n"
      << "          <DataItem Dimensions=\"" << n << (columns == 3 ? " 3" : "")
      << "\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">" << at << xml(name) << "</DataItem>\n"
      << "        </Attribute>\n";
  }
  x << "      </Grid>\n";
}
}  // namespace

std::string xdmf_text(const std::string& xmf_path, const FieldFileWriter* fields, const ParticleFileWriter* particles) {
  // Union of output times; each step holds whichever of the two grids was written at that time.
  std::vector<double> times;
  auto add = [&](double t) {
    for (double s : times)
      if (same_time(s, t)) return;
    times.push_back(t);
  };
  if (fields)
    for (const auto& r : fields->records()) add(r.time);
  if (particles && particles->dim() <= 3)
    for (const auto& r : particles->records()) add(r.time);
  std::sort(times.begin(), times.end());

  const std::string fields_h5 = fields ? relative_to(fields->final_path(), xmf_path) : "";
  const std::string particles_h5 = particles ? relative_to(particles->final_path(), xmf_path) : "";
  std::ostringstream x;
  x << "<?xml version=\"1.0\" ?>\n"
    << "<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n"
    << "<Xdmf Version=\"3.0\">\n"
    << "  <Domain>\n"
    << "    <Grid Name=\"run\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
  for (std::size_t s = 0; s < times.size(); ++s) {
    x << "    <Grid Name=\"step_" << s << "\" GridType=\"Collection\" CollectionType=\"Spatial\">\n"
      << "      <Time Value=\"" << num(times[s]) << "\"/>\n";
    if (fields)
      for (const auto& r : fields->records())
        if (same_time(r.time, times[s])) {
          grid_xml(x, *fields, r, fields_h5);
          break;
        }
    if (particles && particles->dim() <= 3)
      for (const auto& r : particles->records())
        if (same_time(r.time, times[s])) {
          particles_xml(x, *particles, r, particles_h5);
          break;
        }
    x << "    </Grid>\n";
  }
  x << "    </Grid>\n"
    << "  </Domain>\n"
    << "</Xdmf>\n";
  return x.str();
}

void write_xdmf(const std::string& xmf_path, const FieldFileWriter* fields, const ParticleFileWriter* particles) {
  write_text_atomically(xmf_path, xdmf_text(xmf_path, fields, particles));
}

}  // namespace mf::io
