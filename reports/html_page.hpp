// The HTML report's page: escaping and measuring text, the words of verdicts, the page's file
// name, and its frame (the inline style sheet, head and foot).
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "explorer/search.hpp"

namespace wakecheck::reports::html {

/// Text for HTML, in content and in quoted attributes alike.
std::string esc(std::string_view text);

/// A coordinate: at most one decimal, no trailing ".0".
std::string num(double value);

double len(std::size_t n);

/// A name usable in an id attribute.
std::string id_part(const std::string& text);

/// The UTF-8 characters of `text` (a multi-byte character counts once).
std::size_t characters(const std::string& text);

/// The first `count` characters of `text`.
std::string first_characters(const std::string& text, std::size_t count);

/// `text` cut to `width` characters with an ellipsis.
std::string truncate(const std::string& text, std::size_t width);

/// Greedy word wrap at `width` characters; a longer word is cut. At most `max_lines` lines; when
/// more are needed the last one ends with an ellipsis (`cut` is then set).
std::vector<std::string> wrap(const std::string& text, std::size_t width, std::size_t max_lines,
                              bool& cut);

const char* noun(explorer::PropertyKind kind);

std::string join(const std::vector<std::string>& names, const char* none = "\xE2\x80\x94");

/// The page of a property file: its path with separators as '_' and without ".json".
std::string page_stem(const std::string& path);

void open_page(std::ostream& out, const std::string& title);

void close_page(std::ostream& out);

}  // namespace wakecheck::reports::html
