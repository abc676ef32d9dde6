// Symmetry over identical task copies: a scenario's `copies` of one task group behave alike, so
// states that differ only by a renaming of interchangeable copies are one state for the search.
// canonicalize() maps a state to one representative of its orbit: the copies of each class sorted
// by a key holding everything a copy is (its task state, its children's, the guards it holds, its
// futures' flags and variables) and its place in every ordered queue (waiters, run queue, defer
// list), which makes the representative exact when the copies only meet in queues.
//
// A copy stays out of its class when anything names it alone: a statement (`pause worker1`), a
// formula, a fault budget that lists it, a per-future property. Spawning every copy in one block
// does not name them (they are alike until then).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/scenario.hpp"
#include "model/state.hpp"

namespace wakecheck::model {

class Symmetry {
 public:
  /// One set of interchangeable copies: each copy's task slots (the copy, then its branches in
  /// order), futures and variables, aligned across the copies.
  struct Class {
    std::string group;
    std::vector<std::vector<std::size_t>> tasks;      // per copy
    std::vector<std::vector<std::size_t>> futures;    // per copy
    std::vector<std::vector<std::size_t>> variables;  // per copy
  };

  Symmetry() = default;
  /// The classes of `scenario`, leaving out the tasks in `named` (named by something checked).
  Symmetry(const Scenario& scenario, const std::vector<bool>& named = {});

  const std::vector<Class>& classes() const { return classes_; }
  bool empty() const { return classes_.empty(); }
  /// Puts `state` in canonical form (nothing to do without classes).
  void canonicalize(const Scenario& scenario, StateRef state) const;
  /// Why copies were left out of their class, for the run's report ("worker1: named by pause").
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  std::vector<Class> classes_;
  std::vector<std::string> notes_;
};

}  // namespace wakecheck::model
