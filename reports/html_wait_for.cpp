#include "reports/html_wait_for.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "reports/html_page.hpp"
#include "reports/text.hpp"

namespace wakecheck::reports::html {
namespace {

// --- the wait-for graph --------------------------------------------------------------------------

struct GraphNode {
  std::string name;
  std::string sub;
  std::string cls;
  std::string title;
  double x = 0;
  double y = 0;
  double w = 136;
  double h = 46;
};

struct GraphEdge {
  std::size_t from = 0;
  std::size_t to = 0;
  std::string cls;  // waits, held, owned, joins (+ hot)
  std::vector<std::string> label;
  std::string title;
  double from_dx = 0;
  double to_dx = 0;
  double label_t = 0.3;
};

}  // namespace

std::string wait_for_svg(const FinalStateView& view, const Diagnosis& d, const std::string& id,
                         const std::string& p) {
  const std::size_t nt = view.tasks.size();
  std::vector<GraphNode> nodes;
  std::vector<GraphEdge> edges;
  auto in_cycle = [&](const std::string& name) {
    return std::find(d.cycle.begin(), d.cycle.end(), name) != d.cycle.end();
  };
  for (std::size_t i = 0; i < nt; ++i) {
    const TaskView& t = view.tasks[i];
    GraphNode n;
    n.name = t.name;
    n.sub = t.status;
    if (t.paused && t.status != "paused") n.sub += ", paused";
    n.cls = "node task";
    if (t.paused) n.cls += " paused";
    if (t.status == "finished" || t.status == "cancelled" || t.status == "dropped" ||
        t.status == "not spawned") {
      n.cls += " finished";
    }
    if (!t.owns_permits.empty() && t.paused) n.cls += " stranded";
    if (in_cycle(t.name)) n.cls += " in-cycle";
    n.title = t.name + ": " + t.status;
    if (!t.owns_permits.empty())
      n.title += "; its future owns the permit of " + join(t.owns_permits);
    if (t.wake_swallowed) n.title += "; a wake was swallowed by its wrapper";
    nodes.push_back(n);
  }
  for (const auto& r : view.resources) {
    GraphNode n;
    n.name = r.name;
    n.sub = r.kind + " \xC2\xB7 " + std::to_string(r.available) + " of " +
            std::to_string(r.permits) + " free";
    n.cls = "node resource";
    n.title = r.name + " (" + r.kind + "): available " + std::to_string(r.available) + " of " +
              std::to_string(r.permits);
    nodes.push_back(n);
  }
  bool joins = false;
  for (std::size_t i = 0; i < nt; ++i) {
    const TaskView& t = view.tasks[i];
    const bool hot_task = in_cycle(t.name);
    if (const auto r = t.waiting_on) {
      edges.push_back({i,
                       nt + *r,
                       std::string("waits") + (hot_task ? " hot" : ""),
                       {"waits for"},
                       t.name + " waits for " + view.resources[*r].name});
    }
    if (const auto j = t.joining) {
      joins = true;
      edges.push_back({i,
                       *j,
                       std::string("joins") + (hot_task ? " hot" : ""),
                       {"joins"},
                       t.name + " waits for " + view.tasks[*j].name + " to finish"});
    }
    for (std::size_t r = 0; r < view.resources.size(); ++r) {
      if (std::find(t.held.begin(), t.held.end(), r) != t.held.end()) {
        edges.push_back({nt + r,
                         i,
                         std::string("held") + (hot_task ? " hot" : ""),
                         {"held by"},
                         view.resources[r].name + " is held by " + t.name});
      }
      if (std::find(t.owned.begin(), t.owned.end(), r) != t.owned.end()) {
        edges.push_back(
            {nt + r,
             i,
             "owned",
             {"permit owned", "by its future"},
             view.resources[r].name + ": permit owned by " + t.name + "'s future"});
      }
    }
  }

  // Tasks on one row, resources centred on the row below; a node is as wide as its text.
  for (auto& n : nodes) {
    n.w = std::clamp(std::max(len(characters(n.name)) * 8.5, len(characters(n.sub)) * 6.2) + 20,
                     120.0, 176.0);
  }
  constexpr double kSpacing = 184;
  const double top = joins ? 78 : 24;
  const double task_y = top + 23;
  const double resource_y = task_y + 180;
  const std::size_t columns = std::max<std::size_t>({nt, view.resources.size(), 1});
  const double width = len(columns) * kSpacing + 24;
  for (std::size_t i = 0; i < nt; ++i) {
    nodes[i].x = 12 + kSpacing * (len(i) + 0.5) + kSpacing * (len(columns) - len(nt)) / 2;
    nodes[i].y = task_y;
  }
  for (std::size_t r = 0; r < view.resources.size(); ++r) {
    nodes[nt + r].x =
        12 + kSpacing * (len(r) + 0.5) + kSpacing * (len(columns) - len(view.resources.size())) / 2;
    nodes[nt + r].y = resource_y;
  }
  // Spread the ends of the edges at each node's side, ordered by where the other end is.
  for (std::size_t v = 0; v < nodes.size(); ++v) {
    std::vector<std::pair<double, std::size_t>>
        ends;  // (other end's x, edge index * 2 + (is from))
    for (std::size_t e = 0; e < edges.size(); ++e) {
      if (edges[e].cls.rfind("joins", 0) == 0) continue;
      if (edges[e].from == v) ends.push_back({nodes[edges[e].to].x, e * 2 + 1});
      if (edges[e].to == v) ends.push_back({nodes[edges[e].from].x, e * 2});
    }
    std::stable_sort(ends.begin(), ends.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t k = 0; k < ends.size(); ++k) {
      const double dx = ends.size() == 1 ? 0 : -36 + 72 * len(k) / len(ends.size() - 1);
      GraphEdge& e = edges[ends[k].second / 2];
      (ends[k].second % 2 == 1 ? e.from_dx : e.to_dx) = dx;
    }
  }
  // A second edge between the same two nodes gets its label further along.
  for (std::size_t e = 0; e < edges.size(); ++e) {
    for (std::size_t f = 0; f < e; ++f) {
      const bool same = (edges[f].from == edges[e].from && edges[f].to == edges[e].to) ||
                        (edges[f].from == edges[e].to && edges[f].to == edges[e].from);
      if (same) edges[e].label_t = std::max(edges[e].label_t, edges[f].label_t + 0.3);
    }
  }

  const double height = resource_y + 23 + 24;
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"" << id
    << "\" class=\"wf wait-for-graph\" width=\"" << num(width) << "\" height=\"" << num(height)
    << "\" viewBox=\"0 0 " << num(width) << " " << num(height)
    << "\" role=\"img\" aria-labelledby=\"" << p << "wf-title\">\n";
  o << "<title id=\"" << p << "wf-title\">wait-for graph of the final state</title>\n<defs>\n";
  for (const auto& [name, colour] :
       {std::pair{"plain", "#57606a"}, std::pair{"held", "#0969da"}, std::pair{"red", "#cf222e"}}) {
    o << "<marker id=\"" << p << "wf-" << name
      << "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" "
      << "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\""
      << colour << "\"/></marker>\n";
  }
  o << "</defs>\n";
  // Labels go near the task's end, where edges are furthest apart, or further along when that
  // spot is taken by another label or a node.
  struct Box {
    double x1, y1, x2, y2;
    bool overlaps(const Box& b) const { return x1 < b.x2 && b.x1 < x2 && y1 < b.y2 && b.y1 < y2; }
  };
  std::vector<Box> taken;
  for (const auto& n : nodes)
    taken.push_back({n.x - n.w / 2, n.y - n.h / 2, n.x + n.w / 2, n.y + n.h / 2});
  for (const auto& e : edges) {
    const GraphNode& a = nodes[e.from];
    const GraphNode& b = nodes[e.to];
    const bool red =
        e.cls.find("owned") != std::string::npos || e.cls.find("hot") != std::string::npos;
    const std::string head = red ? "red" : e.cls == "held" ? "held" : "plain";
    std::size_t widest = 0;
    for (const auto& line : e.label) widest = std::max(widest, characters(line));
    const double half_w = len(widest) * 3.3 + 4;
    const double half_h = 6.5 * len(e.label.size()) + 1;
    auto box_at = [&](double x, double y) {
      return Box{x - half_w, y - half_h, x + half_w, y + half_h};
    };
    double lx = 0;
    double ly = 0;
    std::string path;
    if (e.cls.rfind("joins", 0) == 0) {
      const double y0 = a.y - a.h / 2;
      const double lift = 34 + std::abs(b.x - a.x) * 0.08;
      path = "M" + num(a.x) + "," + num(y0) + " Q" + num((a.x + b.x) / 2) + "," +
             num(y0 - 2 * lift) + " " + num(b.x) + "," + num(y0 - 3);
      lx = (a.x + b.x) / 2;
      ly = y0 - lift - 4;
    } else {
      // From the task's bottom to the resource's top, or back.
      const bool down = a.y < b.y;
      const double x1 = a.x + e.from_dx;
      const double y1 = a.y + (down ? a.h / 2 : -a.h / 2);
      const double x2 = b.x + e.to_dx;
      const double y2 = b.y + (down ? -b.h / 2 : b.h / 2) + (down ? -2 : 2);
      path = "M" + num(x1) + "," + num(y1) + " L" + num(x2) + "," + num(y2);
      bool placed = false;
      for (double from_task : {e.label_t, 0.18, 0.45, 0.6, 0.75}) {
        const double t = down ? from_task : 1 - from_task;
        const double x = x1 + (x2 - x1) * t;
        const double y = y1 + (y2 - y1) * t;
        const Box box = box_at(x, y);
        if (std::none_of(taken.begin(), taken.end(),
                         [&](const Box& other) { return box.overlaps(other); })) {
          lx = x;
          ly = y;
          placed = true;
          break;
        }
      }
      if (!placed) {
        const double t = down ? e.label_t : 1 - e.label_t;
        lx = x1 + (x2 - x1) * t;
        ly = y1 + (y2 - y1) * t;
      }
    }
    taken.push_back(box_at(lx, ly));
    o << "<g class=\"edge " << e.cls << "\" id=\"" << p << "edge-" << id_part(a.name) << "-"
      << id_part(b.name) << "\"><title>" << esc(e.title) << "</title><path d=\"" << path
      << "\" marker-end=\"url(#" << p << "wf-" << head << ")\"/>";
    o << "<text x=\"" << num(lx) << "\" y=\"" << num(ly - 6.5 * len(e.label.size() - 1) + 4)
      << "\" text-anchor=\"middle\">";
    for (std::size_t k = 0; k < e.label.size(); ++k) {
      o << "<tspan x=\"" << num(lx) << "\"" << (k == 0 ? "" : " dy=\"13\"") << ">"
        << esc(e.label[k]) << "</tspan>";
    }
    o << "</text></g>\n";
  }
  for (const auto& n : nodes) {
    const bool task = n.cls.find("task") != std::string::npos;
    o << "<g class=\"" << n.cls << "\" id=\"" << p << "node-" << id_part(n.name) << "\"><title>"
      << esc(n.title) << "</title><rect x=\"" << num(n.x - n.w / 2) << "\" y=\""
      << num(n.y - n.h / 2) << "\" width=\"" << num(n.w) << "\" height=\"" << num(n.h) << "\" rx=\""
      << (task ? 22 : 4) << "\"/>";
    o << "<text class=\"name\" x=\"" << num(n.x) << "\" y=\"" << num(n.y - 2)
      << "\" text-anchor=\"middle\">" << esc(truncate(n.name, 16))
      << "</text><text class=\"sub\" x=\"" << num(n.x) << "\" y=\"" << num(n.y + 14)
      << "\" text-anchor=\"middle\">" << esc(truncate(n.sub, 30)) << "</text></g>\n";
  }
  if (edges.empty()) {
    o << "<text class=\"nothing\" x=\"" << num(width / 2) << "\" y=\""
      << num((task_y + resource_y) / 2)
      << "\" text-anchor=\"middle\">no task waits for anything</text>\n";
  }
  o << "</svg>\n";
  return o.str();
}

}  // namespace wakecheck::reports::html
