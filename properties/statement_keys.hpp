// The keys of a statement object that hold other statements: one table, read by the loader
// (compiling), shrink (removing statements) and compare (rewriting a mutex's uses), so that all
// three see the same nesting.
#pragma once

#include <optional>

#include "model/scenario.hpp"

namespace wakecheck::properties {

enum class Nesting {
  kBlock,     // a block of the same program: if's then/else, while's and on_drop's and a nested
              // future's do, FuturesUnordered's each, block_in_place, block_on
  kHandler,   // on_drop's handler: what the guard's destructor runs
  kBranches,  // a combinator's branches, each {"name", "wrapper"?, "do": block}
};

struct StatementKey {
  const char* key;
  Nesting nesting;
  std::optional<model::OpKind> combinator = std::nullopt;  // kBranches: the child's kind
};

inline constexpr StatementKey kStatementKeys[] = {
    {"then", Nesting::kBlock},
    {"else", Nesting::kBlock},
    {"do", Nesting::kBlock},
    {"each", Nesting::kBlock},
    {"block_in_place", Nesting::kBlock},
    {"block_on", Nesting::kBlock},
    {"on_drop", Nesting::kHandler},
    {"join", Nesting::kBranches, model::OpKind::kJoinAll},
    {"unordered", Nesting::kBranches, model::OpKind::kNextChild},
    {"ordered", Nesting::kBranches, model::OpKind::kNextChild},  // FuturesOrdered / buffered
    {"select_all", Nesting::kBranches, model::OpKind::kSelectAll},
    // select! over futures: when its branches are blocks ({"name", "do"}); the short form of a
    // lock branch and a sleep branch ({"await": ..}) has none
    {"select", Nesting::kBranches, model::OpKind::kSelectBranches},
};

/// A select! whose branches are futures with bodies (`{"name": .., "do": [..]}`), not the short
/// form of a lock future raced with a sleep.
template <class Json>
bool select_over_futures(const Json& st) {
  if (!st.is_object() || !st.contains("select") || !st["select"].is_array()) return false;
  for (const auto& branch : st["select"]) {
    if (branch.is_object() && branch.contains("do")) return true;
  }
  return false;
}

/// Calls `visit(list)` for every statement list held by the statement `st` (a JSON object, or
/// anything else, which holds none): its blocks, its handler, and each branch's "do".
template <class Json, class Visit>
void for_each_nested_list(Json& st, Visit&& visit) {
  if (!st.is_object()) return;
  for (const auto& k : kStatementKeys) {
    if (!st.contains(k.key)) continue;
    auto& value = st[k.key];
    if (k.nesting != Nesting::kBranches) {
      visit(value);
      continue;
    }
    if (!value.is_array()) continue;
    for (auto& branch : value) {
      if (branch.is_object() && branch.contains("do")) visit(branch["do"]);
    }
  }
}

}  // namespace wakecheck::properties
