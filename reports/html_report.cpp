// HTML: one self-contained page per checked file (inline CSS and SVG, no scripts, nothing
// fetched), and an index linking them. A page shows the verdicts, the exploration figures and,
// for each distinct counterexample, a sequence diagram of its steps (a lane per task and per
// resource, the decisive steps highlighted, a lasso's cycle bracketed), the diagnosis, the
// wait-for graph of the state it ends in and that state as tables.
//
// Everything is laid out here from the trace data; nothing depends on the clock or on addresses,
// so without timing the bytes depend on the input only.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "model/queries.hpp"
#include "properties/input_error.hpp"
#include "reports/text.hpp"
#include "reports/diagnosis.hpp"
#include "reports/final_state.hpp"
#include "reports/findings.hpp"
#include "properties/verdict_words.hpp"
#include "reports/reporter.hpp"

namespace wakecheck::reports {
namespace {

using properties::FileRun;
using properties::PropertyResult;
using properties::TraceData;
using properties::TraceStep;

// --- text --------------------------------------------------------------------------------------

/// Text for HTML, in content and in quoted attributes alike.
std::string esc(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

/// A coordinate: at most one decimal, no trailing ".0".
std::string num(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  std::string out = buffer;
  if (out.size() > 2 && out.compare(out.size() - 2, 2, ".0") == 0) out.resize(out.size() - 2);
  if (out == "-0") out = "0";
  return out;
}

double len(std::size_t n) {
  return static_cast<double>(n);
}

/// A name usable in an id attribute.
std::string id_part(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_' || c == '-';
    out += plain ? c : '-';
  }
  return out.empty() ? "x" : out;
}

/// The UTF-8 characters of `text` (a multi-byte character counts once).
std::size_t characters(const std::string& text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

/// The first `count` characters of `text`.
std::string first_characters(const std::string& text, std::size_t count) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (n == count) return text.substr(0, i);
      ++n;
    }
  }
  return text;
}

/// `text` cut to `width` characters with an ellipsis.
std::string truncate(const std::string& text, std::size_t width) {
  if (characters(text) <= width) return text;
  return first_characters(text, width > 1 ? width - 1 : 0) + "\xE2\x80\xA6";
}

/// Greedy word wrap at `width` characters; a longer word is cut. At most `max_lines` lines; when
/// more are needed the last one ends with an ellipsis (`cut` is then set).
std::vector<std::string> wrap(const std::string& text, std::size_t width, std::size_t max_lines,
                              bool& cut) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream words(text);
  std::string word;
  while (words >> word) {
    while (characters(word) > width) {
      if (!line.empty()) {
        lines.push_back(line);
        line.clear();
      }
      lines.push_back(first_characters(word, width));
      word = word.substr(first_characters(word, width).size());
    }
    if (line.empty()) {
      line = word;
    } else if (characters(line) + 1 + characters(word) <= width) {
      line += " " + word;
    } else {
      lines.push_back(line);
      line = word;
    }
  }
  if (!line.empty() || lines.empty()) lines.push_back(line);
  cut = lines.size() > max_lines;
  if (cut) {
    lines.resize(max_lines);
    lines.back() = truncate(lines.back() + " \xE2\x80\xA6", width);
  }
  return lines;
}

const char* kind_name(explorer::PropertyKind kind) {
  switch (kind) {
    case explorer::PropertyKind::kAlways:
      return "always";
    case explorer::PropertyKind::kSometimes:
      return "reachable";
    case explorer::PropertyKind::kAtDeadEnds:
      return "at_dead_ends";
    case explorer::PropertyKind::kLeadsTo:
      return "leads_to";
  }
  return "?";
}

const char* noun(explorer::PropertyKind kind) {
  return kind == explorer::PropertyKind::kSometimes ? "example" : "counterexample";
}

std::string join(const std::vector<std::string>& names, const char* none = "\xE2\x80\x94") {
  if (names.empty()) return none;
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

/// The page of a property file: its path with separators as '_' and without ".json".
std::string page_stem(const std::string& path) {
  std::string stem = path;
  if (stem.ends_with(".json")) stem.resize(stem.size() - 5);
  std::string out;
  for (char c : stem) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_' || c == '-' || c == '.';
    out += plain ? c : '_';
  }
  const auto start = out.find_first_not_of("_.");
  out = start == std::string::npos ? "file" : out.substr(start);
  return out;
}

// --- the page's style ----------------------------------------------------------------------------

constexpr const char* kStyle = R"css(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; padding: 28px 32px 48px; background: #f6f8fa; color: #1f2328;
  font: 15px/1.5 "Segoe UI", system-ui, -apple-system, "Helvetica Neue", Arial, "Liberation Sans",
  "DejaVu Sans", sans-serif; }
main { max-width: 1340px; margin: 0 auto; }
a { color: #0969da; text-decoration: none; }
a:hover { text-decoration: underline; }
code, .mono { font-family: "SFMono-Regular", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace;
  font-size: 0.9em; }
h1 { font-size: 26px; margin: 4px 0 2px; line-height: 1.25; }
h2 { font-size: 20px; margin: 0 0 12px; }
h3 { font-size: 16px; margin: 22px 0 8px; color: #33383f; }
.crumb { margin: 0; font-size: 13px; }
.subtitle { margin: 2px 0 0; color: #57606a; }
.card { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 18px 22px; margin: 18px 0; }
.banner { display: inline-block; margin-top: 10px; padding: 3px 12px; border-radius: 999px; font-weight: 600;
  font-size: 13px; }
.banner.ok, .badge.ok { background: #dafbe1; color: #116329; }
.banner.mismatch, .badge.mismatch { background: #ffebe9; color: #a40e26; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #eaeef2; vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; color: #57606a; background: #f6f8fa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:last-child td { border-bottom: none; }
.desc { display: block; color: #57606a; font-size: 12.5px; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12.5px; font-weight: 600;
  white-space: nowrap; }
.verdict.holds { background: #dafbe1; color: #116329; }
.verdict.violated { background: #ffebe9; color: #a40e26; }
.verdict.vacuous { background: #fff8c5; color: #7d4e00; }
.verdict.unknown { background: #eaeef2; color: #424a53; }
.verdict.reached { background: #ddf4ff; color: #0550ae; }
.verdict.unreachable { background: #eaeef2; color: #424a53; }
.expected { color: #57606a; }
.finding { display: inline-block; margin: 0 10px 3px 0; white-space: nowrap; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; }
.figure-box { min-width: 130px; padding: 10px 16px; border: 1px solid #d0d7de; border-radius: 6px; background: #f6f8fa; }
.figure-box .value { display: block; font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.figure-box .label { display: block; font-size: 12px; color: #57606a; text-transform: uppercase; letter-spacing: 0.04em; }
.figure-box.incomplete .value { color: #a40e26; }
.lede { margin: 0 0 6px; color: #33383f; }
.also { margin: 0 0 6px; color: #57606a; font-size: 14px; }
.scroll { overflow-x: auto; border: 1px solid #eaeef2; border-radius: 6px; background: #fff; }
.scroll svg { display: block; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 8px 0 0; padding: 0; list-style: none;
  font-size: 12.5px; color: #57606a; }
.legend li { display: flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 26px; height: 0; border-top: 2px solid #8c959f; }
.swatch.paused { border-top: 2px dashed #bf8700; }
.swatch.held { border-top: 4px solid #0969da; }
.swatch.owned { border-top: 4px dashed #cf222e; }
.swatch.waits { border-top: 2px dashed #57606a; }
.swatch.handover { border-top: 2px dashed #8250df; }
.swatch.decisive { width: 14px; height: 14px; border: 2px solid #cf222e; background: #ffebe9; border-radius: 3px; }
.diagnosis { border-left: 4px solid #cf222e; background: #fff8f8; padding: 10px 16px; border-radius: 0 6px 6px 0; }
.diagnosis.none { border-left-color: #8c959f; background: #f6f8fa; }
.diagnosis p { margin: 4px 0; }
.diagnosis ul { margin: 6px 0; padding-left: 22px; }
.diagnosis .cause-name { font-weight: 700; color: #a40e26; margin-right: 6px; }
.coffman { color: #33383f; font-size: 14px; }
.replay { color: #57606a; font-size: 13px; }
.empty { color: #57606a; font-style: italic; }
.status-paused { color: #9a6700; font-weight: 600; }
.status-waiting { color: #0550ae; font-weight: 600; }
.status-finished { color: #57606a; }
.hot { color: #a40e26; font-weight: 600; }

/* SVG: sequence diagrams */
svg text { font-family: "Segoe UI", system-ui, -apple-system, "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif; fill: #1f2328; }
svg .mono { font-family: "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; }
.sd .band { fill: #ffffff; }
.sd .band.alt { fill: #f6f8fa; }
.sd .band.cycle { fill: #eef5ff; }
.sd .band.decisive { fill: #fff0ee; }
.sd .decisive-bar { fill: #cf222e; }
.sd .stepno { font-size: 12px; fill: #57606a; font-variant-numeric: tabular-nums; }
.sd .step.decisive .stepno { fill: #cf222e; font-weight: 700; }
.sd .lane-head rect { fill: #ddf4ff; stroke: #54aeff; }
.sd .lane-head.resource rect { fill: #fbefff; stroke: #c297ff; }
.sd .lane-head .name { font-size: 13px; font-weight: 700; }
.sd .lane-head .kind { font-size: 10.5px; fill: #57606a; }
.sd .life { stroke: #8c959f; stroke-width: 1.5; }
.sd .life.paused { stroke: #bf8700; stroke-dasharray: 5 4; }
.sd .life.free { stroke: #c4c9cf; stroke-width: 1.5; }
.sd .life.held { stroke: #0969da; stroke-width: 4; }
.sd .life.owned { stroke: #cf222e; stroke-width: 4; stroke-dasharray: 7 4; }
.sd .end { stroke: #57606a; stroke-width: 1.5; }
.sd .pill rect { fill: #ffffff; stroke: #57606a; }
.sd .pill text { font-size: 11px; font-weight: 600; }
.sd .pill.fault rect { fill: #fff8c5; stroke: #bf8700; }
.sd .step.decisive .pill rect { fill: #cf222e; stroke: #a40e26; }
.sd .step.decisive .pill text { fill: #ffffff; }
.sd .runtime rect { fill: #eaeef2; stroke: #afb8c1; stroke-dasharray: 3 3; }
.sd .runtime text { font-size: 11px; fill: #57606a; font-weight: 600; }
.sd .event { font-size: 13px; font-weight: 700; }
.sd .effect { font-size: 11.5px; fill: #424a53; }
.sd .note { font-size: 11.5px; fill: #a40e26; font-weight: 700; }
.sd .arrow { stroke-width: 1.6; fill: none; }
.sd .arrow-label { font-size: 10.5px; font-weight: 600; paint-order: stroke; stroke: #ffffff; stroke-width: 3px;
  stroke-linejoin: round; }
.sd line.acquire { stroke: #1a7f37; } .sd text.acquire { fill: #1a7f37; }
.sd line.wait { stroke: #9a6700; } .sd text.wait { fill: #9a6700; }
.sd line.release { stroke: #0969da; } .sd text.release { fill: #0969da; }
.sd line.notify { stroke: #8250df; } .sd text.notify { fill: #8250df; }
.sd line.fail { stroke: #6e7781; } .sd text.fail { fill: #6e7781; }
.sd line.handover { stroke: #8250df; stroke-dasharray: 5 3; } .sd text.handover { fill: #8250df; }
.sd .step.decisive line.handover { stroke: #cf222e; stroke-width: 2.4; }
.sd .step.decisive text.handover { fill: #cf222e; font-weight: 700; }
.sd .bracket { stroke: #0969da; stroke-width: 2; fill: none; }
.sd .bracket-label { font-size: 12px; font-weight: 700; fill: #0969da; }
.sd .cycle-rule { stroke: #0969da; stroke-width: 1; stroke-dasharray: 4 3; }

/* SVG: wait-for graphs */
.wf .node.task rect { fill: #ddf4ff; stroke: #54aeff; stroke-width: 1.5; }
.wf .node.task.paused rect { fill: #eaeef2; stroke: #8c959f; }
.wf .node.task.finished rect { fill: #ffffff; stroke: #c4c9cf; stroke-dasharray: 4 3; }
.wf .node.task.finished text { fill: #8c959f; }
.wf .node.task.stranded rect, .wf .node.task.in-cycle rect { stroke: #cf222e; stroke-width: 2.5; }
.wf .node.resource rect { fill: #fbefff; stroke: #c297ff; stroke-width: 1.5; }
.wf .node .name { font-size: 14px; font-weight: 700; }
.wf .node .sub { font-size: 11px; fill: #57606a; }
.wf .edge path { fill: none; stroke: #57606a; stroke-width: 1.6; }
.wf .edge.waits path { stroke-dasharray: 6 4; }
.wf .edge.held path { stroke: #0969da; stroke-width: 2; }
.wf .edge.owned path { stroke: #cf222e; stroke-width: 2.6; }
.wf .edge.hot path { stroke: #cf222e; stroke-width: 2.6; }
.wf .edge text { font-size: 11px; font-weight: 600; fill: #424a53; paint-order: stroke; stroke: #ffffff;
  stroke-width: 4px; stroke-linejoin: round; }
.wf .edge.held text { fill: #0969da; }
.wf .edge.owned text, .wf .edge.hot text { fill: #cf222e; }
.wf .nothing { font-size: 13px; fill: #57606a; font-style: italic; }
)css";

void open_page(std::ostream& out, const std::string& title) {
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<meta name=\"generator\" content=\"wakecheck\">\n"
      << "<title>" << esc(title) << "</title>\n<style>" << kStyle
      << "</style>\n</head>\n<body>\n<main>\n";
}

void close_page(std::ostream& out) {
  out << "</main>\n</body>\n</html>\n";
}

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
        model_(*run.model),
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
        // The diagnosis says why in a sentence that starts with "step N ".
        const std::string prefix = "step " + std::to_string(step.index) + " ";
        std::string why = step.index == d_.handover_step ? "decisive: the hand-over"
                                                         : "decisive: the swallowed wake";
        for (const auto& sentence : d_.details) {
          if (sentence.rfind(prefix, 0) == 0) why = "decisive: " + sentence;
        }
        bool cut = false;
        r.note = wrap(why, kNoteChars, 6, cut);
        line_y += len(r.note.size()) * kLine;
      }
      r.height = line_y - y + kRowPad;
      y += r.height;
      rows_.push_back(std::move(r));
    }
    rows_bottom_ = y;
    // The state during each row: before its step; states_.back() is after the last one.
    model::State state = model_.initial_state();
    states_.push_back(view_final_state(sc_, state));
    for (const auto& step : trace_.steps) {
      state = model_.next_state(state, step.event);
      states_.push_back(view_final_state(sc_, state));
    }
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
        const FinalStateView& view = states_[i];
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
        if (i < n && !task_life(states_[i + 1].tasks[l])) {
          const double yb = y2 - 9;
          o << "<path class=\"end\" d=\"M" << num(lane.x - 5) << "," << num(yb - 5) << " l10,10 M"
            << num(lane.x + 5) << "," << num(yb - 5) << " l-10,10\"><title>"
            << esc(tv.name + ": " + states_[i + 1].tasks[l].status) << "</title></path>\n";
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
  const model::TokioModel& model_;
  const TraceData& trace_;
  const Diagnosis& d_;
  std::string p_;  // id prefix, so that several diagrams fit on a page
  std::vector<Lane> lanes_;
  std::vector<Row> rows_;
  std::vector<FinalStateView> states_;
  double lane_width_ = 100;
  std::size_t name_chars_ = 10;
  double notes_x_ = 0;
  double width_ = 0;
  double rows_bottom_ = kRowsTop;
};

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

std::string wait_for_svg(const model::Scenario& sc, const model::State& s, const Diagnosis& d,
                         const std::string& id, const std::string& p) {
  const FinalStateView view = view_final_state(sc, s);
  const std::size_t nt = sc.tasks.size();
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
    const auto t = model::task_at(i);
    const bool hot_task = in_cycle(sc.tasks[i].name);
    if (const auto r = model::waits_on(s, sc, t)) {
      edges.push_back({i,
                       nt + model::index(*r),
                       std::string("waits") + (hot_task ? " hot" : ""),
                       {"waits for"},
                       sc.tasks[i].name + " waits for " + sc.resource(*r).name});
    }
    if (const auto j = model::joins(s, sc, t)) {
      joins = true;
      edges.push_back({i,
                       model::index(*j),
                       std::string("joins") + (hot_task ? " hot" : ""),
                       {"joins"},
                       sc.tasks[i].name + " waits for " + sc.task(*j).name + " to finish"});
    }
    for (std::size_t r = 0; r < sc.resources.size(); ++r) {
      const auto res = model::resource_at(r);
      if (model::holds(s, sc, t, res)) {
        edges.push_back({nt + r,
                         i,
                         std::string("held") + (hot_task ? " hot" : ""),
                         {"held by"},
                         sc.resources[r].name + " is held by " + sc.tasks[i].name});
      }
      if (model::owned_by_future(s, t, res) > 0) {
        edges.push_back(
            {nt + r,
             i,
             "owned",
             {"permit owned", "by its future"},
             sc.resources[r].name + ": permit owned by " + sc.tasks[i].name + "'s future"});
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
  const std::size_t columns = std::max<std::size_t>({nt, sc.resources.size(), 1});
  const double width = len(columns) * kSpacing + 24;
  for (std::size_t i = 0; i < nt; ++i) {
    nodes[i].x = 12 + kSpacing * (len(i) + 0.5) + kSpacing * (len(columns) - len(nt)) / 2;
    nodes[i].y = task_y;
  }
  for (std::size_t r = 0; r < sc.resources.size(); ++r) {
    nodes[nt + r].x =
        12 + kSpacing * (len(r) + 0.5) + kSpacing * (len(columns) - len(sc.resources.size())) / 2;
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

// --- the reporter --------------------------------------------------------------------------------

struct IndexRow {
  std::string file;
  std::string name;
  std::string page;
  std::size_t checks = 0;
  std::size_t as_expected = 0;
  std::uint64_t states = 0;
  double seconds = 0.0;
  std::vector<Finding> findings;  // violated, unreachable or unknown properties
};

class HtmlReporter final : public Reporter {
 public:
  HtmlReporter(std::string directory, bool include_timing)
      : dir_(std::move(directory)), timing_(include_timing) {}

  void add(const FileRun& run) override {
    const auto& file = *run.file;
    IndexRow row{file.path, file.name,        unique_page(page_stem(file.path)), run.results.size(),
                 0,         run.stats.states, timing_ ? run.stats.seconds : 0.0, {}};
    for (const auto& result : run.results) row.as_expected += result.as_expected ? 1 : 0;
    row.findings = findings_of(run);
    std::ostringstream page;
    write_page(page, run, row);
    write_file(row.page, page.str());
    index_.push_back(std::move(row));
  }

  void finish() override {
    std::ostringstream o;
    open_page(o, "wakecheck report");
    std::size_t checks = 0;
    std::size_t as_expected = 0;
    for (const auto& row : index_) {
      checks += row.checks;
      as_expected += row.as_expected;
    }
    o << "<header>\n<h1>wakecheck report</h1>\n<p class=\"subtitle\">" << index_.size()
      << (index_.size() == 1 ? " file, " : " files, ") << checks
      << (checks == 1 ? " check: " : " checks: ") << as_expected << " as expected, "
      << (checks - as_expected) << " not</p>\n";
    o << "<span class=\"banner "
      << (as_expected == checks ? "ok\">every verdict as expected"
                                : "mismatch\">some verdicts not as expected")
      << "</span>\n</header>\n";
    // Files whose verdicts are not as expected first, then those with findings, then the rest.
    std::vector<const IndexRow*> rows;
    for (const auto& row : index_) rows.push_back(&row);
    std::stable_sort(rows.begin(), rows.end(), [](const IndexRow* a, const IndexRow* b) {
      return index_rank(a->as_expected == a->checks, a->findings) <
             index_rank(b->as_expected == b->checks, b->findings);
    });
    std::size_t with_findings = 0;
    for (const auto& row : index_) with_findings += row.findings.empty() ? 0U : 1U;
    o << "<section class=\"card\" id=\"files\">\n<h2>Files</h2>\n<p class=\"lede\">" << with_findings
      << (with_findings == 1 ? " file has" : " files have")
      << " findings (a property violated, unreachable or left unknown), listed first after any "
         "whose verdicts are not as expected.</p>\n<table class=\"summary\">\n<thead><tr><th>file</th>"
      << "<th>findings</th><th class=\"num\">checks</th><th class=\"num\">as expected</th><th "
         "class=\"num\">states</th>"
      << "<th class=\"num\">seconds</th><th></th></tr></thead>\n<tbody>\n";
    for (const IndexRow* row : rows) {
      const bool ok = row->as_expected == row->checks;
      o << "<tr class=\"file " << (!ok ? "mismatch" : row->findings.empty() ? "clean" : "findings")
        << "\"><td><a href=\"" << esc(row->page) << "\"><code>" << esc(row->file)
        << "</code></a><span class=\"desc\">" << esc(row->name) << "</span></td><td class=\"findings\">";
      if (row->findings.empty()) o << "\xE2\x80\x94";
      for (const auto& f : row->findings) {
        o << "<span class=\"finding\"><span class=\"badge verdict " << esc(f.word) << "\">" << esc(f.word)
          << "</span> " << esc(f.property) << "</span>";
      }
      o << "</td><td class=\"num\">" << row->checks << "</td><td class=\"num\">" << row->as_expected
        << "</td><td class=\"num\">" << row->states << "</td><td class=\"num\">"
        << format_seconds(row->seconds) << "</td><td><span class=\"badge "
        << (ok ? "ok\">ok" : "mismatch\">MISMATCH") << "</span></td></tr>\n";
    }
    if (index_.empty())
      o << "<tr><td colspan=\"7\" class=\"empty\">no files were checked</td></tr>\n";
    o << "</tbody>\n</table>\n</section>\n";
    close_page(o);
    write_file("index.html", o.str());
  }

 private:
  std::string unique_page(const std::string& stem) {
    std::string name = stem + ".html";
    for (int n = 2;
         name == "index.html" || std::find(pages_.begin(), pages_.end(), name) != pages_.end();
         ++n) {
      name = stem + "_" + std::to_string(n) + ".html";
    }
    pages_.push_back(name);
    return name;
  }

  void write_file(const std::string& name, const std::string& text) const {
    const std::string path = (std::filesystem::path(dir_) / name).string();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw properties::InputError("wakecheck: cannot write '" + path + "'");
  }

  void write_page(std::ostream& o, const FileRun& run, const IndexRow& row) const {
    const auto& file = *run.file;
    const auto& sc = file.scenario;
    open_page(o, file.name + " \xE2\x80\x94 wakecheck");
    o << "<header>\n<p class=\"crumb\"><a href=\"index.html\">\xE2\x86\x90 all files</a></p>\n<h1>"
      << esc(file.name) << "</h1>\n<p class=\"subtitle\"><code>" << esc(file.path)
      << "</code> \xC2\xB7 " << model::to_string(sc.flavor) << ", " << sc.tasks.size()
      << (sc.tasks.size() == 1 ? " task, " : " tasks, ") << sc.resources.size()
      << (sc.resources.size() == 1 ? " resource" : " resources") << "</p>\n";
    const std::size_t not_ok = row.checks - row.as_expected;
    o << "<span class=\"banner " << (not_ok == 0 ? "ok" : "mismatch") << "\">";
    if (not_ok == 0) {
      o << "all " << row.checks << " checks as expected";
    } else {
      o << not_ok << " of " << row.checks << " checks not as expected";
    }
    o << "</span>\n</header>\n";

    // Which results get a diagram: each distinct counterexample once, as in the text report.
    std::vector<const PropertyResult*> shown;
    std::vector<std::vector<std::string>> same_as;  // per shown: the other properties with it
    std::vector<std::string> anchor(run.results.size());
    for (std::size_t i = 0; i < run.results.size(); ++i) {
      const auto& result = run.results[i];
      if (!result.trace || result.kind == explorer::PropertyKind::kSometimes) continue;
      bool found = false;
      for (std::size_t k = 0; k < shown.size(); ++k) {
        if (shown[k]->trace->replay_key() == result.trace->replay_key()) {
          same_as[k].push_back(result.name);
          anchor[i] = "counterexample-" + id_part(shown[k]->name);
          found = true;
          break;
        }
      }
      if (found) continue;
      shown.push_back(&result);
      same_as.emplace_back();
      anchor[i] = "counterexample-" + id_part(result.name);
    }

    o << "<section class=\"card\" id=\"summary\">\n<h2>Properties</h2>\n<table "
         "class=\"properties\">\n<thead><tr>"
      << "<th>property</th><th>kind</th><th>verdict</th><th>expected</th><th>result</th></tr></"
         "thead>\n<tbody>\n";
    for (std::size_t i = 0; i < run.results.size(); ++i) {
      const auto& result = run.results[i];
      const std::string verdict = properties::verdict_word(result);
      o << "<tr class=\"property " << (result.as_expected ? "ok" : "mismatch") << "\"><td><strong>"
        << esc(result.name) << "</strong>";
      if (!anchor[i].empty()) o << " \xC2\xB7 <a href=\"#" << anchor[i] << "\">counterexample</a>";
      o << "<span class=\"desc\">" << esc(result.description) << "</span></td><td><code>"
        << kind_name(result.kind) << "</code></td><td><span class=\"badge verdict " << verdict
        << "\">" << verdict << "</span></td><td class=\"expected\">"
        << (result.expected ? properties::expectation_word(result) : "\xE2\x80\x94")
        << "</td><td><span class=\"badge "
        << (result.as_expected ? "ok\">ok" : "mismatch\">MISMATCH") << "</span></td></tr>\n";
    }
    o << "</tbody>\n</table>\n</section>\n";

    const double secs = timing_ ? run.stats.seconds : 0.0;
    o << "<section class=\"card\" id=\"exploration\">\n<h2>Exploration</h2>\n<div "
         "class=\"figures\">\n";
    figure(o, "states", std::to_string(run.stats.states), "");
    figure(o, "transitions", std::to_string(run.stats.transitions), "");
    figure(o, "depth", std::to_string(run.stats.depth), "");
    figure(o, "seconds", format_seconds(secs), "");
    figure(o, "complete", run.stats.complete() ? "yes" : "no",
           run.stats.complete() ? "" : " incomplete");
    o << "</div>\n";
    if (!run.stats.complete()) {
      o << "<p class=\"empty\">The search stopped at the state bound: verdicts it could not decide "
           "are 'unknown'.</p>\n";
    }
    o << "</section>\n";

    for (std::size_t k = 0; k < shown.size(); ++k)
      write_counterexample(o, run, *shown[k], same_as[k], k);
    if (shown.empty()) {
      o << "<section class=\"card\" id=\"counterexamples\">\n<h2>Counterexamples</h2>\n"
        << "<p class=\"empty\">No property is violated: there is no counterexample to "
           "show.</p>\n</section>\n";
    }
    close_page(o);
  }

  static void figure(std::ostream& o, const char* label, const std::string& value,
                     const char* extra) {
    o << "<div class=\"figure-box" << extra << "\" id=\"figure-" << label
      << "\"><span class=\"value\">" << esc(value) << "</span><span class=\"label\">" << label
      << "</span></div>\n";
  }

  void write_counterexample(std::ostream& o, const FileRun& run, const PropertyResult& result,
                            const std::vector<std::string>& also, std::size_t k) const {
    const auto& sc = run.file->scenario;
    const TraceData& trace = *result.trace;
    const Diagnosis d = diagnose(*run.model, trace);
    const std::string prefix = k == 0 ? "" : "cx" + std::to_string(k + 1) + "-";
    const std::string id_suffix = k == 0 ? "" : "-" + std::to_string(k + 1);
    o << "<section class=\"card counterexample\" id=\"counterexample-" << id_part(result.name)
      << "\">\n<h2>" << esc(result.name) << ": <span class=\"badge verdict "
      << properties::verdict_word(result) << "\">" << properties::verdict_word(result)
      << "</span></h2>\n<p class=\"lede\">" << esc(result.description) << "</p>\n";
    o << "<p class=\"lede\">";
    if (trace.loop_start) {
      o << noun(result.kind) << ", a lasso: " << (*trace.loop_start - 1) << " steps, then steps "
        << *trace.loop_start << " to " << trace.steps.size() << " repeat forever.";
    } else {
      o << noun(result.kind) << ", shortest (" << trace.steps.size() << " steps).";
    }
    o << "</p>\n";
    if (!also.empty()) {
      o << "<p class=\"also\">The same counterexample as for ";
      for (std::size_t i = 0; i < also.size(); ++i) {
        o << (i == 0                 ? ""
              : i + 1 == also.size() ? " and "
                                     : ", ")
          << "<strong>" << esc(also[i]) << "</strong>";
      }
      o << ".</p>\n";
    }

    o << "<h3>Sequence diagram</h3>\n<div class=\"scroll\">\n";
    SequenceDiagram diagram(run, trace, d, prefix);
    o << diagram.render(
        "sequence-diagram" + id_suffix,
        "sequence diagram of the " + std::string(noun(result.kind)) + " of " + result.name);
    o << "</div>\n<ul class=\"legend\">"
      << "<li><span class=\"swatch\"></span>task alive</li>"
      << "<li><span class=\"swatch paused\"></span>task paused</li>"
      << "<li><span class=\"swatch held\"></span>resource held by a guard</li>"
      << "<li><span class=\"swatch owned\"></span>permit owned by a pending future</li>"
      << "<li><span class=\"swatch handover\"></span>permit handed over</li>"
      << "<li><span class=\"swatch decisive\"></span>decisive step</li>";
    if (trace.loop_start) o << "<li>blue rows: the cycle that repeats forever</li>";
    o << "</ul>\n";

    o << "<h3>Diagnosis</h3>\n<div class=\"diagnosis" << (d.cause == Cause::kNone ? " none" : "")
      << "\" id=\"diagnosis" << id_suffix << "\">\n";
    if (d.cause != Cause::kNone) {
      std::string cause = to_string(d.cause);
      std::replace(cause.begin(), cause.end(), '_', ' ');
      o << "<p class=\"cause\"><span class=\"cause-name\">" << esc(cause) << "</span>";
      // The summary starts with the cause's name; say it once.
      std::string summary = d.summary;
      if (summary.rfind(cause + ": ", 0) == 0) summary = summary.substr(cause.size() + 2);
      o << esc(summary) << "</p>\n";
      if (!d.details.empty()) {
        o << "<ul>\n";
        for (const auto& sentence : d.details) o << "<li>" << esc(sentence) << "</li>\n";
        o << "</ul>\n";
      }
    } else {
      o << "<p>No cause is diagnosed: nothing in the state where the trace ends is recognised as "
           "stuck.</p>\n";
    }
    o << "<p class=\"coffman\">" << esc(d.coffman) << "</p>\n";
    o << "<p class=\"replay\">replay key: <code>";
    for (std::size_t choice : trace.replay_key()) o << choice << " ";
    o << "</code></p>\n</div>\n";

    o << "<h3>"
      << (trace.loop_start ? "Wait-for graph at the start of the cycle"
                           : "Wait-for graph of the final state")
      << "</h3>\n<div class=\"scroll\">\n"
      << wait_for_svg(sc, trace.final_state, d, "wait-for-graph" + id_suffix, prefix) << "</div>\n";
    o << "<ul class=\"legend\"><li><span class=\"swatch waits\"></span>waits for</li>"
      << "<li><span class=\"swatch held\"></span>held by</li>"
      << "<li><span class=\"swatch owned\"></span>permit owned by its future</li></ul>\n";

    write_final_state(o, sc, trace, id_suffix);
    o << "</section>\n";
  }

  static void write_final_state(std::ostream& o, const model::Scenario& sc, const TraceData& trace,
                                const std::string& id_suffix) {
    const FinalStateView view = view_final_state(sc, trace.final_state);
    o << "<h3>" << (trace.loop_start ? "State at the start of the cycle" : "Final state")
      << "</h3>\n";
    o << "<table class=\"final-state resources\" id=\"final-resources" << id_suffix
      << "\">\n<thead><tr><th>resource</th>"
      << "<th>kind</th><th class=\"num\">permits</th><th class=\"num\">available</th><th>guard "
         "held by</th>"
      << "<th>permit owned by the future of</th><th>waiters (oldest "
         "first)</th></tr></thead>\n<tbody>\n";
    for (const auto& r : view.resources) {
      o << "<tr><td><strong>" << esc(r.name) << "</strong></td><td><code>" << esc(r.kind)
        << "</code></td><td class=\"num\">" << r.permits << "</td><td class=\"num\">" << r.available
        << "</td><td>" << esc(join(r.guard_holders, "nobody")) << "</td><td"
        << (r.owning_futures.empty() ? "" : " class=\"hot\"") << ">" << esc(join(r.owning_futures))
        << "</td><td>" << esc(join(r.waiters, "none")) << "</td></tr>\n";
    }
    if (view.resources.empty())
      o << "<tr><td colspan=\"7\" class=\"empty\">no resources</td></tr>\n";
    o << "</tbody>\n</table>\n";
    o << "<table class=\"final-state tasks\" id=\"final-tasks" << id_suffix
      << "\">\n<thead><tr><th>task</th>"
      << "<th>status</th><th>waits for</th><th>holds</th><th>its future owns the permit "
         "of</th><th>notes</th></tr>"
      << "</thead>\n<tbody>\n";
    for (const auto& t : view.tasks) {
      std::string status_cls = "status-" + id_part(t.status);
      std::string notes;
      if (t.paused && t.status != "paused") notes += "paused";
      if (t.waits_for && t.status == "paused")
        notes += (notes.empty() ? "" : "; ") + std::string("still queued");
      if (t.wake_swallowed)
        notes += (notes.empty() ? "" : "; ") + std::string("a wake was swallowed by its wrapper");
      o << "<tr><td><strong>" << esc(t.name) << "</strong></td><td class=\"" << status_cls << "\">"
        << esc(t.status) << "</td><td>" << esc(t.waits_for.value_or("\xE2\x80\x94")) << "</td><td>"
        << esc(join(t.holds)) << "</td><td" << (t.owns_permits.empty() ? "" : " class=\"hot\"")
        << ">" << esc(join(t.owns_permits)) << "</td><td>"
        << esc(notes.empty() ? "\xE2\x80\x94" : notes) << "</td></tr>\n";
    }
    o << "</tbody>\n</table>\n";
  }

  std::string dir_;
  bool timing_;
  std::vector<std::string> pages_;
  std::vector<IndexRow> index_;
};

}  // namespace

std::unique_ptr<Reporter> make_html_reporter(const std::string& directory, bool include_timing) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error || !std::filesystem::is_directory(directory, error)) {
    throw properties::InputError("wakecheck: cannot create the directory '" + directory + "'");
  }
  return std::make_unique<HtmlReporter>(directory, include_timing);
}

}  // namespace wakecheck::reports
