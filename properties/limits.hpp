// Limits on what wakecheck reads. Each is checked before the work it bounds (reading, the
// recursion of a parser, a validator or an evaluator), and exceeding one is bad input: a located
// error, exit 2. They sit far above what a scenario needs (the shipped property files are under
// 3 KB, nest JSON 15 levels and programs 5, and their longest string has 110 bytes) and far below
// what would exhaust the stack, also under AddressSanitizer.
#pragma once

#include <cstddef>

namespace wakecheck::properties {

/// Bytes of a property file.
inline constexpr std::size_t kMaxPropertyFileBytes = 1024 * 1024;
/// Bytes of a JSON report read by `replay` or `export` (reports of many files grow large).
inline constexpr std::size_t kMaxReportBytes = 64 * 1024 * 1024;
/// Bytes of one JSON string (a key or a value) in a property file.
inline constexpr std::size_t kMaxStringBytes = 4096;
/// Bytes of one JSON string in a report.
inline constexpr std::size_t kMaxReportStringBytes = 1024 * 1024;
/// Bytes of a name (task, resource, variable, future, check).
inline constexpr std::size_t kMaxNameBytes = 64;
/// Levels of JSON arrays and objects inside each other.
inline constexpr std::size_t kMaxJsonDepth = 64;
/// Levels of statement blocks inside each other in a program (then, else, do, each, on_drop,
/// a future's do, block_in_place and a branch's do).
inline constexpr std::size_t kMaxProgramDepth = 16;
/// Parentheses open at once in one expression.
inline constexpr std::size_t kMaxExprParentheses = 32;
/// 'not', unary '-', 'implies', 'forall' and 'exists' in one expression (each nests what
/// follows it).
inline constexpr std::size_t kMaxExprPrefixOperators = 64;
/// Levels of the parsed expression's tree ("1 + 1 + ... + 1" nests one level per '+').
inline constexpr std::size_t kMaxExprTreeDepth = 128;

}  // namespace wakecheck::properties
