// Graphviz: the wait-for graph of the state a counterexample ends in, written with Boost.Graph.
// Tasks are ellipses, resources boxes; "waits for" edges go from a task to a resource, "held by"
// and "owned by the future of" edges from a resource to a task; a paused task is grey, a permit
// owned by a future that will not be polled is red.
#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>

#include "reports/reporter.hpp"

namespace wakecheck::reports {
namespace {

struct Node {
  std::string label;
  std::string attributes;
};
struct Arc {
  std::string label;
  std::string attributes;
};
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, Node, Arc>;

std::string quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '\\';  // a backslash stays: \n is Graphviz's line break
    out += c;
  }
  return out + "\"";
}

class DotReporter final : public Reporter {
 public:
  explicit DotReporter(std::ostream& out) : out_(out) {}

  void add(const properties::FileRun& run) override {
    if (written_) return;  // one graph: the first counterexample of the first file that has one
    for (const auto& result : run.results) {
      if (!result.trace || result.kind == explorer::PropertyKind::kSometimes) continue;
      write(run, result);
      written_ = true;
      return;
    }
  }

  void finish() override {
    if (!written_) out_ << "digraph wait_for {\n  label=\"no counterexample\";\n}\n";
  }

 private:
  void write(const properties::FileRun& run, const properties::PropertyResult& result) {
    const FinalStateView& view = result.trace->final_view;
    Graph g;
    std::vector<Graph::vertex_descriptor> task(view.tasks.size()), resource(view.resources.size());
    for (std::size_t i = 0; i < view.tasks.size(); ++i) {
      const TaskView& t = view.tasks[i];
      std::string attributes = "shape=ellipse";
      if (t.paused) attributes += ", style=filled, fillcolor=grey80";
      std::string label = t.name;
      if (t.finished) label += "\\n(finished)";
      if (t.paused) label += "\\n(paused)";
      task[i] = boost::add_vertex(Node{label, attributes}, g);
    }
    for (std::size_t r = 0; r < view.resources.size(); ++r) {
      resource[r] = boost::add_vertex(Node{view.resources[r].name + "\\n" + view.resources[r].kind, "shape=box"}, g);
    }
    for (std::size_t i = 0; i < view.tasks.size(); ++i) {
      const TaskView& t = view.tasks[i];
      if (t.waiting_on) boost::add_edge(task[i], resource[*t.waiting_on], Arc{"waits for", "style=dashed"}, g);
      if (t.joining) boost::add_edge(task[i], task[*t.joining], Arc{"joins", "style=dashed"}, g);
      for (std::size_t r = 0; r < view.resources.size(); ++r) {
        if (std::find(t.held.begin(), t.held.end(), r) != t.held.end())
          boost::add_edge(resource[r], task[i], Arc{"held by", ""}, g);
        if (std::find(t.owned.begin(), t.owned.end(), r) != t.owned.end()) {
          boost::add_edge(resource[r], task[i],
                          Arc{"permit owned by its future", "color=red, fontcolor=red, penwidth=2"}, g);
        }
      }
    }
    boost::write_graphviz(
        out_, g,
        [&](std::ostream& o, Graph::vertex_descriptor v) {
          o << "[label=" << quote(g[v].label) << ", " << g[v].attributes << "]";
        },
        [&](std::ostream& o, Graph::edge_descriptor e) {
          o << "[label=" << quote(g[e].label) << (g[e].attributes.empty() ? "" : ", " + g[e].attributes) << "]";
        },
        [&](std::ostream& o) {
          o << "label=" << quote(run.file->path + ": " + result.name + " " +
                                 properties::to_string(result.verdict) + " (the state its counterexample ends in)")
            << ";\nlabelloc=t;\n";
        });
  }

  std::ostream& out_;
  bool written_ = false;
};

}  // namespace

std::unique_ptr<Reporter> make_dot_reporter(std::ostream& out) { return std::make_unique<DotReporter>(out); }

}  // namespace wakecheck::reports
