#include "reports/html_sequence.hpp"

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

using properties::FileRun;
using properties::TraceData;
using properties::TraceStep;

// --- the sequence diagram ------------------------------------------------------------------------

// Geometry (pixels).
constexpr double kNumberWidth = 56;  // the step-number column
constexpr double kLaneGap = 18;      // between the task lanes and the resource lanes
constexpr double kHeadTop = 10;
constexpr double kHeadHeight = 38;
constexpr double kRowsTop = kHeadTop + kHeadHeight + 14;
constexpr double kEventLine = 20;  // the event's line in a row
constexpr double kLine = 16;       // an effect's or a note's line
constexpr double kRowPad = 6;
constexpr double kNotesWidth = 600;
constexpr std::size_t kNoteChars = 84;  // monospace 11.5px is ~6.9px a character
constexpr std::size_t kMaxEffectLines = 4;

struct Lane {
  std::string name;
  std::string kind;  // "pausable", "task", "tokio_mutex", ...
  bool resource = false;
  double x = 0;  // centre
};

/// What an effect line did to a resource, read from its words ("lock m -> acquired", ...).
struct EffectInfo {
  std::string text;
  std::vector<std::string> lines;
  bool cut = false;
  std::optional<std::size_t> resource;  // lane
  std::string op;                       // "lock", "unlock", ...
  std::string tone;                     // css class: acquire, wait, release, notify, fail
  std::vector<std::size_t> handover;    // task lanes a permit or notification went to
  std::optional<std::size_t> from;      // a branch's lane when a branch did it ("c0: lock m")
  double y = 0;                         // the first line's baseline
};

struct Row {
  const TraceStep* step = nullptr;
  std::optional<std::size_t> lane;  // the task lane the step concerns
  std::vector<EffectInfo> effects;
  std::vector<std::string> note;  // decisive: why
  bool decisive = false;
  bool in_cycle = false;
  double top = 0;
  double height = 0;
};

/// The word of `text` starting at `at`, up to a space, ';', ',' or ')'.
class SequenceDiagram {
 public:
  SequenceDiagram(const FileRun& run, const TraceData& trace, const Diagnosis& diagnosis,
                  std::string prefix)
      : sc_(run.file->scenario),
        trace_(trace),
        d_(diagnosis),
        p_(std::move(prefix)) {}

  std::string render(const std::string& id, const std::string& caption) {
    lay_out_lanes();
    lay_out_rows();
    std::ostringstream o;
    const double height = rows_bottom_ + 14 + kHeadHeight + 10;
    o << "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"" << id
      << "\" class=\"sd sequence-diagram\" width=\"" << num(width_) << "\" height=\"" << num(height)
      << "\" viewBox=\"0 0 " << num(width_) << " " << num(height)
      << "\" role=\"img\" aria-labelledby=\"" << p_ << "title\">\n";
    o << "<title id=\"" << p_ << "title\">" << esc(caption) << "</title>\n";
    defs(o);
    // Bands first, then lifelines, then what happens in each row, so arrows sit on top.
    for (std::size_t i = 0; i < rows_.size(); ++i) band(o, i);
    lifelines(o);
    if (trace_.loop_start) cycle(o);
    for (std::size_t i = 0; i < rows_.size(); ++i) row(o, i);
    heads(o, kHeadTop, "top");
    heads(o, rows_bottom_ + 14, "bottom");
    o << "</svg>\n";
    return o.str();
  }

 private:
  void lay_out_lanes() {
    std::size_t longest = 4;
    for (const auto& t : sc_.tasks) longest = std::max(longest, characters(t.name));
    for (const auto& r : sc_.resources) longest = std::max(longest, characters(r.name));
    lane_width_ = std::clamp(len(longest) * 8.0 + 28.0, 96.0, 150.0);
    name_chars_ = static_cast<std::size_t>((lane_width_ - 14.0) / 8.0);
    double x = kNumberWidth + lane_width_ / 2;
    for (std::size_t i = 0; i < sc_.tasks.size(); ++i) {
      const auto wrapper = sc_.futures[i].wrapper;
      std::string kind = wrapper == model::Wrapper::kNone ? "task" : model::to_string(wrapper);
      if (const auto& parent = sc_.tasks[i].parent; parent && wrapper == model::Wrapper::kNone) {
        kind = "in " + sc_.tasks[*parent].name;  // a branch of a combinator in that task
      }
      if (sc_.tasks[i].shared) kind = "shared";
      lanes_.push_back({sc_.tasks[i].name, kind, false, x});
      x += lane_width_;
    }
    x += kLaneGap;
    for (const auto& r : sc_.resources) {
      lanes_.push_back({r.name, model::to_string(r.kind), true, x});
      x += lane_width_;
    }
    notes_x_ = x - lane_width_ / 2 + 16;
    width_ = notes_x_ + kNotesWidth + (trace_.loop_start ? 70 : 16);
  }

  std::optional<std::size_t> task_lane(const std::string& name) const {
    if (name.empty()) return std::nullopt;
    for (std::size_t i = 0; i < sc_.tasks.size(); ++i) {
      if (sc_.tasks[i].name == name) return i;
    }
    // A nested future ("worker1.compute") belongs to its task.
    const auto dot = name.find('.');
    if (dot != std::string::npos) return task_lane(name.substr(0, dot));
    return std::nullopt;
  }

  EffectInfo read_effect(const model::Effect& effect) const {
    EffectInfo e;
    e.text = effect.text;
    e.lines = wrap(effect.text, kNoteChars, kMaxEffectLines, e.cut);
    // A line a branch (a future inside the task) wrote is drawn from the branch's own lane.
    if (effect.branch) e.from = model::index(*effect.branch);
    const bool drawn = effect.resource && effect.kind != model::EffectKind::kNote &&
                       effect.kind != model::EffectKind::kWrapper;
    if (!drawn) return e;
    e.op = effect.op;
    e.resource = sc_.tasks.size() + model::index(*effect.resource);
    e.tone = model::to_string(effect.kind);  // acquire, wait, fail, release, notify
    for (const model::TaskId t : effect.handed_to) e.handover.push_back(model::index(t));
    return e;
  }

  void lay_out_rows() {
    double y = kRowsTop;
    for (const auto& step : trace_.steps) {
      Row r;
      r.step = &step;
      r.lane = task_lane(step.task);
      r.decisive = step.index == d_.handover_step || step.index == d_.swallowed_step;
      r.in_cycle = trace_.loop_start && step.index >= *trace_.loop_start;
      r.top = y;
      double line_y = y + kRowPad + kEventLine;  // below the event's line
      for (const auto& effect : step.effects) {
        EffectInfo e = read_effect(effect);
        e.y = line_y + kLine - 4;
        const std::size_t slots =
            std::max(e.lines.size(), e.handover.empty() ? std::size_t{1} : std::size_t{2});
        line_y += len(slots) * kLine;
        r.effects.push_back(std::move(e));
      }
      if (r.decisive) {
        // The diagnosis says why, in its sentence about the step.
        std::string why = step.index == d_.handover_step ? "decisive: the hand-over"
                                                         : "decisive: the swallowed wake";
        if (step.index == d_.handover_step && !d_.handover_why.empty()) why = "decisive: " + d_.handover_why;
        if (step.index == d_.swallowed_step && !d_.swallowed_why.empty()) why = "decisive: " + d_.swallowed_why;
        bool cut = false;
        r.note = wrap(why, kNoteChars, 6, cut);
        line_y += len(r.note.size()) * kLine;
      }
      r.height = line_y - y + kRowPad;
      y += r.height;
      rows_.push_back(std::move(r));
    }
    rows_bottom_ = y;
  }

  void defs(std::ostream& o) const {
    o << "<defs>\n";
    const std::pair<const char*, const char*> tones[] = {
        {"acquire", "#1a7f37"}, {"wait", "#9a6700"}, {"release", "#0969da"},
        {"notify", "#8250df"},  {"fail", "#6e7781"}, {"handover", "#8250df"},
        {"decisive", "#cf222e"}};
    for (const auto& [tone, colour] : tones) {
      o << "<marker id=\"" << p_ << "head-" << tone
        << "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
        << "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 "
           "L10,5 L0,10 z\" fill=\""
        << colour << "\"/></marker>\n";
    }
    o << "</defs>\n";
  }

  void heads(std::ostream& o, double top, const char* where) const {
    o << "<g class=\"lane-heads " << where << "\">\n";
    for (const auto& lane : lanes_) {
      const double w = lane_width_ - 14;
      o << "<g class=\"lane-head" << (lane.resource ? " resource" : " task") << "\"><rect x=\""
        << num(lane.x - w / 2) << "\" y=\"" << num(top) << "\" width=\"" << num(w) << "\" height=\""
        << num(kHeadHeight) << "\" rx=\"" << (lane.resource ? 3 : 8) << "\"/>";
      const std::string shown = truncate(lane.name, name_chars_);
      o << "<text class=\"name\" x=\"" << num(lane.x) << "\" y=\"" << num(top + 17)
        << "\" text-anchor=\"middle\">";
      if (shown != lane.name) o << "<title>" << esc(lane.name) << "</title>";
      o << esc(shown) << "</text><text class=\"kind\" x=\"" << num(lane.x) << "\" y=\""
        << num(top + 31) << "\" text-anchor=\"middle\">"
        << esc(truncate(lane.kind, name_chars_ + 4)) << "</text></g>\n";
    }
    o << "</g>\n";
  }

  void band(std::ostream& o, std::size_t i) const {
    const Row& r = rows_[i];
    std::string cls = "band";
    if (r.decisive) {
      cls += " decisive";
    } else if (r.in_cycle) {
      cls += " cycle";
    } else if (i % 2 == 1) {
      cls += " alt";
    }
    o << "<rect class=\"" << cls << "\" x=\"0\" y=\"" << num(r.top) << "\" width=\""
      << num(width_ - (trace_.loop_start ? 62 : 0)) << "\" height=\"" << num(r.height) << "\"/>\n";
  }

  static const char* task_life(const TaskView& t) {
    if (t.status == "not spawned" || t.status == "finished" || t.status == "cancelled" ||
        t.status == "dropped" || t.status.rfind("model error", 0) == 0) {
      return nullptr;
    }
    return t.paused ? "life paused" : "life";
  }

  static const char* resource_life(const ResourceView& r) {
    if (!r.owning_futures.empty()) return "life owned";
    if (!r.guard_holders.empty()) return "life held";
    return "life free";
  }

  void segment(std::ostream& o, double x, double y1, double y2, const char* cls,
               const std::string& title) const {
    o << "<line class=\"" << cls << "\" x1=\"" << num(x) << "\" y1=\"" << num(y1) << "\" x2=\""
      << num(x) << "\" y2=\"" << num(y2) << "\">";
    if (!title.empty()) o << "<title>" << esc(title) << "</title>";
    o << "</line>\n";
  }

  void lifelines(std::ostream& o) const {
    o << "<g class=\"lifelines\">\n";
    const double head_bottom = kHeadTop + kHeadHeight;
    const std::size_t n = rows_.size();
    for (std::size_t l = 0; l < lanes_.size(); ++l) {
      const Lane& lane = lanes_[l];
      // Segment i < n: the row of step i+1, in the state before it (the first one reaches up to the
      // heads); segment n: below the last row, in the state the trace ends in.
      for (std::size_t i = 0; i <= n; ++i) {
        const double y1 = i == 0 ? head_bottom : i < n ? rows_[i].top : rows_bottom_;
        const double y2 = i < n ? rows_[i].top + rows_[i].height : rows_bottom_ + 14;
        const FinalStateView& view = trace_.views[i];
        if (lane.resource) {
          const auto& rv = view.resources[l - sc_.tasks.size()];
          std::string title = rv.name + ": available " + std::to_string(rv.available);
          if (!rv.guard_holders.empty()) title += ", held by " + join(rv.guard_holders);
          if (!rv.owning_futures.empty())
            title += ", permit owned by the future of " + join(rv.owning_futures);
          segment(o, lane.x, y1, y2, resource_life(rv), title);
          continue;
        }
        const auto& tv = view.tasks[l];
        const char* cls = task_life(tv);
        if (!cls) continue;
        segment(
            o, lane.x, y1, y2, cls,
            tv.name + ": " + tv.status + (tv.paused && tv.status != "paused" ? ", paused" : ""));
        // The row in which a live task ends gets a cross at its bottom.
        if (i < n && !task_life(trace_.views[i + 1].tasks[l])) {
          const double yb = y2 - 9;
          o << "<path class=\"end\" d=\"M" << num(lane.x - 5) << "," << num(yb - 5) << " l10,10 M"
            << num(lane.x + 5) << "," << num(yb - 5) << " l-10,10\"><title>"
            << esc(tv.name + ": " + trace_.views[i + 1].tasks[l].status) << "</title></path>\n";
        }
      }
    }
    o << "</g>\n";
  }

  void cycle(std::ostream& o) const {
    const std::size_t start = *trace_.loop_start;
    if (start == 0 || start > rows_.size()) return;
    const double top = rows_[start - 1].top + 2;
    const double bottom = rows_bottom_ - 2;
    const double x = width_ - 52;
    o << "<g class=\"cycle\" id=\"" << p_ << "cycle\"><title>steps " << start << " to "
      << rows_.size() << " repeat forever</title>\n";
    o << "<line class=\"cycle-rule\" x1=\"0\" y1=\"" << num(top - 2) << "\" x2=\"" << num(x)
      << "\" y2=\"" << num(top - 2) << "\"/>\n";
    o << "<path class=\"bracket\" d=\"M" << num(x) << "," << num(top) << " h10 V" << num(bottom)
      << " h-10\"/>\n";
    const double mid = (top + bottom) / 2;
    o << "<text class=\"bracket-label\" x=\"" << num(x + 24) << "\" y=\"" << num(mid)
      << "\" text-anchor=\"middle\" "
      << "transform=\"rotate(90 " << num(x + 24) << " " << num(mid) << ")\">repeats forever (steps "
      << start << "\xE2\x80\x93" << rows_.size() << ")</text>\n</g>\n";
  }

  void arrow(std::ostream& o, double x1, double x2, double y, const std::string& tone,
             const std::string& head, const std::string& label, bool centred = false) const {
    const double dir = x2 > x1 ? 1 : -1;
    o << "<line class=\"arrow " << tone << "\" x1=\"" << num(x1 + dir * 6) << "\" y1=\"" << num(y)
      << "\" x2=\"" << num(x2 - dir * 4) << "\" y2=\"" << num(y) << "\" marker-end=\"url(#" << p_
      << "head-" << head << ")\"/>";
    // An operation's label starts past the event pill; a hand-over's sits in the middle.
    const double lx = centred ? (x1 + x2) / 2 : x1 + dir * 28;
    const char* anchor = centred ? "middle" : dir > 0 ? "start" : "end";
    o << "<text class=\"arrow-label " << tone << "\" x=\"" << num(lx) << "\" y=\"" << num(y - 4)
      << "\" text-anchor=\"" << anchor << "\">" << esc(label) << "</text>\n";
  }

  void row(std::ostream& o, std::size_t i) const {
    const Row& r = rows_[i];
    const TraceStep& step = *r.step;
    const std::size_t n = step.index;
    o << "<g class=\"step" << (r.decisive ? " decisive" : "") << "\" id=\"" << p_ << "step-" << n
      << "\" data-step=\"" << n << "\">\n";
    o << "<title>" << esc("step " + std::to_string(n) + ": " + step.event_text) << "</title>\n";
    const double event_y = r.top + kRowPad + 14;
    if (r.decisive) {
      o << "<rect class=\"decisive-bar\" x=\"0\" y=\"" << num(r.top) << "\" width=\"4\" height=\""
        << num(r.height) << "\"/>\n";
    }
    o << "<text class=\"stepno\" x=\"" << num(kNumberWidth - 14) << "\" y=\"" << num(event_y)
      << "\" text-anchor=\"end\">" << n << "</text>\n";
    // The marker: a pill in the lane of the task, or a runtime band across the task lanes.
    const std::string kind = model::to_string(step.event.kind);
    const double pill_y = event_y - 13;
    if (r.lane) {
      const double x = lanes_[*r.lane].x;
      const double w = std::max(40.0, len(kind.size()) * 6.6 + 14);
      o << "<g class=\"pill" << (model::is_fault(step.event.kind) ? " fault" : "")
        << "\"><rect x=\"" << num(x - w / 2) << "\" y=\"" << num(pill_y) << "\" width=\"" << num(w)
        << "\" height=\"18\" rx=\"9\"/><text x=\"" << num(x) << "\" y=\"" << num(pill_y + 13)
        << "\" text-anchor=\"middle\">" << esc(kind) << "</text></g>\n";
    } else if (!sc_.tasks.empty()) {
      const double x1 = lanes_.front().x - lane_width_ / 2 + 8;
      const double x2 = lanes_[sc_.tasks.size() - 1].x + lane_width_ / 2 - 8;
      o << "<g class=\"runtime\"><rect x=\"" << num(x1) << "\" y=\"" << num(pill_y) << "\" width=\""
        << num(x2 - x1) << "\" height=\"18\" rx=\"4\"/><text x=\"" << num((x1 + x2) / 2)
        << "\" y=\"" << num(pill_y + 13) << "\" text-anchor=\"middle\">" << esc(kind + " (runtime)")
        << "</text></g>\n";
    }
    // The narration: the event, its effects, and for a decisive step why it matters.
    const std::string event = truncate(step.event_text, kNoteChars - 8);
    o << "<text class=\"event\" x=\"" << num(notes_x_) << "\" y=\"" << num(event_y) << "\">";
    if (event != step.event_text) o << "<title>" << esc(step.event_text) << "</title>";
    o << esc(event) << "</text>\n";
    for (const auto& e : r.effects) {
      o << "<g class=\"effect-line\">";
      if (e.cut) o << "<title>" << esc(e.text) << "</title>";
      for (std::size_t k = 0; k < e.lines.size(); ++k) {
        o << "<text class=\"effect mono\" x=\"" << num(notes_x_ + (k == 0 ? 0 : 14)) << "\" y=\""
          << num(e.y + len(k) * kLine) << "\">" << esc(e.lines[k]) << "</text>";
      }
      o << "</g>\n";
      if (e.resource && r.lane) {
        const double from = lanes_[e.from.value_or(*r.lane)].x;
        const double to = lanes_[*e.resource].x;
        const double y = e.y - 4;
        arrow(o, from, to, y, e.tone, e.tone, e.op);
        for (std::size_t target : e.handover) {
          const std::string head = r.decisive && n == d_.handover_step ? "decisive" : "handover";
          arrow(o, to, lanes_[target].x, y + kLine, "handover", head,
                "permit \xE2\x86\x92 " + lanes_[target].name, true);
        }
      }
    }
    double note_y = r.top + r.height - kRowPad - len(r.note.size()) * kLine + kLine - 4;
    for (const auto& line : r.note) {
      o << "<text class=\"note\" x=\"" << num(notes_x_) << "\" y=\"" << num(note_y) << "\">"
        << esc(line) << "</text>\n";
      note_y += kLine;
    }
    o << "</g>\n";
  }

  const model::Scenario& sc_;
  const TraceData& trace_;
  const Diagnosis& d_;
  std::string p_;  // id prefix, so that several diagrams fit on a page
  std::vector<Lane> lanes_;
  std::vector<Row> rows_;
  double lane_width_ = 100;
  std::size_t name_chars_ = 10;
  double notes_x_ = 0;
  double width_ = 0;
  double rows_bottom_ = kRowsTop;
};

}  // namespace

std::string sequence_diagram_svg(const FileRun& run, const TraceData& trace, const Diagnosis& diagnosis,
                                 const std::string& prefix, const std::string& id,
                                 const std::string& caption) {
  SequenceDiagram diagram(run, trace, diagnosis, prefix);
  return diagram.render(id, caption);
}

}  // namespace wakecheck::reports::html
