#include "reports/html_page.hpp"

#include <cstdint>
#include <cstdio>

namespace wakecheck::reports::html {

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

const char* noun(explorer::PropertyKind kind) {
  return kind == explorer::PropertyKind::kSometimes ? "example" : "counterexample";
}

std::string join(const std::vector<std::string>& names, const char* none) {
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

}  // namespace wakecheck::reports::html
