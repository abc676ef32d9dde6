// Tests for the JSON source index (positions by JSON pointer) and name suggestions.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "properties/source_map.hpp"
#include "properties/suggest.hpp"

#include <CppUTest/TestHarness.h>

using wakecheck::properties::nearest_name;
using wakecheck::properties::pointer_to_path;
using wakecheck::properties::SourceMap;
using wakecheck::properties::SourcePos;

namespace {

// Asserts that `actual` holds exactly line:column.
void check_pos(std::optional<SourcePos> actual, std::size_t line, std::size_t column) {
  CHECK_TRUE(actual.has_value());
  UNSIGNED_LONGS_EQUAL(line, actual->line);
  UNSIGNED_LONGS_EQUAL(column, actual->column);
}

}  // namespace

TEST_GROUP(SourceMap){};

TEST(SourceMap, RootValueIsAtFirstNonSpaceCharacter) {
  const SourceMap map = SourceMap::index("  \n  {\"a\": 1}");
  check_pos(map.value(""), 2, 3);
  check_pos(map.value("/a"), 2, 9);
  check_pos(map.key("/a"), 2, 4);
}

TEST(SourceMap, FindsValuesAndKeysInNestedObjectsAndArrays) {
  const std::string text =
      "{\n"
      "  \"scenario\": {\n"
      "    \"tasks\": [\n"
      "      {\"name\": \"worker\", \"program\": [\"lock\", \"wait\"]},\n"
      "      {\"name\": \"idle\"}\n"
      "    ]\n"
      "  }\n"
      "}\n";
  const SourceMap map = SourceMap::index(text);
  check_pos(map.value(""), 1, 1);
  check_pos(map.key("/scenario"), 2, 3);
  check_pos(map.value("/scenario"), 2, 15);
  check_pos(map.value("/scenario/tasks"), 3, 14);
  check_pos(map.value("/scenario/tasks/0"), 4, 7);
  check_pos(map.value("/scenario/tasks/0/name"), 4, 16);
  check_pos(map.key("/scenario/tasks/0/program"), 4, 26);
  check_pos(map.value("/scenario/tasks/0/program/0"), 4, 38);
  check_pos(map.value("/scenario/tasks/0/program/1"), 4, 46);
  check_pos(map.value("/scenario/tasks/1/name"), 5, 16);
  CHECK_FALSE(map.value("/scenario/tasks/2").has_value());
  CHECK_FALSE(map.value("/scenario/missing").has_value());
}

TEST(SourceMap, ArrayElementsHaveNoKey) {
  const SourceMap map = SourceMap::index("[1, 2]");
  check_pos(map.value("/1"), 1, 5);
  CHECK_FALSE(map.key("/1").has_value());
  CHECK_FALSE(map.key("").has_value());
}

TEST(SourceMap, FindsNestedArrayElementAfterLineComment) {
  const std::string text =
      "{\n"
      "  // the list below: {\"not\": [\"a\", \"key\"]}\n"
      "  \"list\": [\n"
      "    // first\n"
      "    [10, // trailing\n"
      "     20]\n"
      "  ]\n"
      "}";
  const SourceMap map = SourceMap::index(text);
  check_pos(map.key("/list"), 3, 3);
  check_pos(map.value("/list/0"), 5, 5);
  check_pos(map.value("/list/0/0"), 5, 6);
  check_pos(map.value("/list/0/1"), 6, 6);
  CHECK_FALSE(map.value("/not").has_value());
}

TEST(SourceMap, SkipsBlockCommentContainingQuotesAndBraces) {
  const std::string text =
      "{ /* \"fake\": {\"x\": [1,\n"
      "   2]} } ] \" */ \"real\": /* inline */ true }";
  const SourceMap map = SourceMap::index(text);
  check_pos(map.key("/real"), 2, 17);
  check_pos(map.value("/real"), 2, 38);
  CHECK_FALSE(map.value("/fake").has_value());
  CHECK_FALSE(map.key("/fake").has_value());
}

TEST(SourceMap, StringWithEscapedQuotesDoesNotEndEarly) {
  const std::string text = R"({"a": "say \"hi\" {not: [json]} \\", "b": null})";
  const SourceMap map = SourceMap::index(text);
  check_pos(map.value("/a"), 1, 7);
  check_pos(map.key("/b"), 1, 38);
  check_pos(map.value("/b"), 1, 43);
}

TEST(SourceMap, KeyWithEscapesIsDecodedForThePointer) {
  const std::string text = R"({"q\"uote": 1, "\u00e9t\u00e9": 2, "tab\t": 3})";
  wakecheck::properties::SourceLimits limits;
  limits.reject_unsafe_characters = false;  // a tab in a key: allowed in reports, not property files
  const SourceMap map = SourceMap::index(text, limits);
  check_pos(map.value("/q\"uote"), 1, 13);
  check_pos(map.value("/\xC3\xA9t\xC3\xA9"), 1, 33);
  check_pos(map.value("/tab\t"), 1, 45);
}

TEST(SourceMap, PointerEscapesTildeAndSlashInKeys) {
  const SourceMap map = SourceMap::index(R"({"a/b": 1, "m~n": {"~/": 2}})");
  check_pos(map.value("/a~1b"), 1, 9);
  check_pos(map.key("/m~0n"), 1, 12);
  check_pos(map.value("/m~0n/~0~1"), 1, 26);
  CHECK_FALSE(map.value("/a/b").has_value());
}

TEST(SourceMap, NumbersLiteralsAndEmptyContainersAreIndexed) {
  const SourceMap map = SourceMap::index(R"([-1.5e+3, true, false, null, {}, [], "x"])");
  check_pos(map.value("/0"), 1, 2);
  check_pos(map.value("/1"), 1, 11);
  check_pos(map.value("/2"), 1, 17);
  check_pos(map.value("/3"), 1, 24);
  check_pos(map.value("/4"), 1, 30);
  check_pos(map.value("/5"), 1, 34);
  check_pos(map.value("/6"), 1, 38);
}

TEST(SourceMap, RepeatedKeyKeepsTheLastOccurrence) {
  const SourceMap map = SourceMap::index(R"({"k": 1, "k": 2})");
  check_pos(map.key("/k"), 1, 10);
  check_pos(map.value("/k"), 1, 15);
}

TEST(SourceMap, MalformedInputKeepsWhatWasIndexedBeforeTheError) {
  const SourceMap map = SourceMap::index("{\"ok\": 1,\n \"bad\": tru, \"later\": 3}");
  check_pos(map.value("/ok"), 1, 8);
  check_pos(map.key("/bad"), 2, 2);
  CHECK_FALSE(map.value("/later").has_value());
}

TEST(SourceMap, TruncatedAndGarbageInputsDoNotCrash) {
  const std::vector<std::string> inputs = {
      "", "{", "[", "\"", "\"abc\\", "{\"a\"", "{\"a\":", "{\"a\": [1, 2", "/", "/*", "/* open",
      "{\"a\" 1}", "[1 2]", "}", "-", "\"\\u12\"", "\"\\ud800\"", "{\"\\ud800x\": 1}", "[,]", "nul",
      std::string(2000, '['), std::string("{\"a\":\0}", 7)};
  for (const std::string& input : inputs) {
    const SourceMap map = SourceMap::index(input);
    const SourcePos end = map.at_offset(input.size() + 100);
    CHECK_TRUE(end.line >= 1);
    CHECK_FALSE(map.value("/zzz").has_value());
    CHECK_FALSE(map.key("/a/0").has_value());
  }
  const SourceMap partial = SourceMap::index("{\"a\": [1, 2");
  check_pos(partial.value("/a/1"), 1, 11);
  const SourceMap deep = SourceMap::index(std::string(2000, '['));
  check_pos(deep.value("/0/0"), 1, 3);
}

TEST(SourceMap, UnterminatedBlockCommentStopsIndexing) {
  const SourceMap map = SourceMap::index("{\"a\": 1, /* never closed \"b\": 2}");
  check_pos(map.value("/a"), 1, 7);
  CHECK_FALSE(map.value("/b").has_value());
}

TEST(SourceMap, AtOffsetCountsLinesAndBytesAndClamps) {
  const SourceMap map = SourceMap::index("ab\ncd\n\xC3\xA9x");
  check_pos(map.at_offset(0), 1, 1);
  check_pos(map.at_offset(2), 1, 3);
  check_pos(map.at_offset(3), 2, 1);
  check_pos(map.at_offset(8), 3, 3);
  check_pos(map.at_offset(9), 3, 4);
  check_pos(map.at_offset(1000), 3, 4);
}

TEST(SourceMap, NearestFallsBackToClosestIndexedAncestor) {
  const SourceMap map = SourceMap::index("{\n  \"tasks\": [\n    {\"name\": 1}\n  ]\n}");
  check_pos(map.nearest("/tasks/0/name"), 3, 14);
  check_pos(map.nearest("/tasks/0/missing/deeper"), 3, 5);
  check_pos(map.nearest("/tasks/7"), 2, 12);
  check_pos(map.nearest("/nothing"), 1, 1);
  check_pos(SourceMap::index("").nearest("/a"), 1, 1);
  check_pos(SourceMap::index("\n\n  [1]").nearest("/x"), 3, 3);
}

TEST(SourceMap, CarriageReturnsCountAsColumnsOnTheirLine) {
  const SourceMap map = SourceMap::index("{\r\n\"a\": 1\r\n}");
  check_pos(map.key("/a"), 2, 1);
  check_pos(map.value("/a"), 2, 6);
}

TEST_GROUP(PointerToPath){};

TEST(PointerToPath, RootIsNamedRoot) { STRCMP_EQUAL("(root)", pointer_to_path("").c_str()); }

TEST(PointerToPath, MembersAreDottedAndIndicesBracketed) {
  STRCMP_EQUAL("scenario.tasks[0].program[1]", pointer_to_path("/scenario/tasks/0/program/1").c_str());
  STRCMP_EQUAL("scenario", pointer_to_path("/scenario").c_str());
  STRCMP_EQUAL("[3].name", pointer_to_path("/3/name").c_str());
  STRCMP_EQUAL("[0][12]", pointer_to_path("/0/12").c_str());
}

TEST(PointerToPath, EscapedTokensAreUnescaped) {
  STRCMP_EQUAL("a/b.m~n", pointer_to_path("/a~1b/m~0n").c_str());
  STRCMP_EQUAL("~1", pointer_to_path("/~01").c_str());
}

TEST(PointerToPath, EmptyKeyIsShownQuoted) {
  STRCMP_EQUAL("\"\"", pointer_to_path("/").c_str());
  STRCMP_EQUAL("a.\"\".b", pointer_to_path("/a//b").c_str());
}

TEST_GROUP(NearestName){};

TEST(NearestName, FindsTransposedLetters) {
  const std::vector<std::string> names = {"idle", "worker", "waker"};
  const auto found = nearest_name("wroker", names);
  CHECK_TRUE(found.has_value());
  STRCMP_EQUAL("worker", found->c_str());
}

TEST(NearestName, FindsMissingLetter) {
  const std::vector<std::string> names = {"deadlock_free", "mutual_exclusion", "no_lost_wakeup"};
  const auto found = nearest_name("mutal_exclusion", names);
  CHECK_TRUE(found.has_value());
  STRCMP_EQUAL("mutual_exclusion", found->c_str());
}

TEST(NearestName, TooDistantGivesNothing) {
  const std::vector<std::string> names = {"worker", "waker"};
  CHECK_FALSE(nearest_name("sleeper", names).has_value());
  // "abc" allows distance 1 only; "axy" is 2 away.
  CHECK_FALSE(nearest_name("abc", std::vector<std::string>{"axy"}).has_value());
  const auto one_off = nearest_name("abc", std::vector<std::string>{"axc"});
  CHECK_TRUE(one_off.has_value());
  STRCMP_EQUAL("axc", one_off->c_str());
}

TEST(NearestName, ExactMatchGivesNothing) {
  const std::vector<std::string> names = {"workers", "worker"};
  CHECK_FALSE(nearest_name("worker", names).has_value());
}

TEST(NearestName, TieGoesToEarlierCandidate) {
  const std::vector<std::string> names = {"lock_b", "lock_a", "lock_c"};
  const auto found = nearest_name("lock_x", names);
  CHECK_TRUE(found.has_value());
  STRCMP_EQUAL("lock_b", found->c_str());
  const std::vector<std::string> reversed = {"lock_c", "lock_a"};
  STRCMP_EQUAL("lock_c", nearest_name("lock_x", reversed).value().c_str());
}

TEST(NearestName, NoCandidatesGivesNothing) {
  CHECK_FALSE(nearest_name("worker", std::vector<std::string>{}).has_value());
  CHECK_FALSE(nearest_name("", std::vector<std::string>{"ab"}).has_value());
  STRCMP_EQUAL("a", nearest_name("", std::vector<std::string>{"a"}).value().c_str());
}
