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

/// Marks in `named` (one entry per task) the tasks an expression names on its own: a task given
/// by name to an atom, the owner of a task's own variable. Quantified tasks name nobody.
void mark_named(const Expr& expr, const Scenario& scenario, std::vector<bool>& named);

class Symmetry {
 public:
  /// One set of interchangeable copies: each copy's task slots (the copy, then its branches in
  /// order), futures and variables, aligned across the copies.
  struct Class {
    std::string group;
    std::vector<std::vector<std::size_t>> tasks;      // per copy
    std::vector<std::vector<std::size_t>> futures;    // per copy
    std::vector<std::vector<std::size_t>> variables;  // per copy
    std::vector<std::vector<std::size_t>> handlers;   // per copy
  };

  Symmetry() = default;
  /// The classes of `scenario`, leaving out the tasks in `named` (named by something checked).
  Symmetry(const Scenario& scenario, const std::vector<bool>& named = {});

  const std::vector<Class>& classes() const { return classes_; }
  bool empty() const { return classes_.empty(); }
  /// Prepares canonicalize() for states laid out by `layout` (TokioModel::with_symmetry does).
  void bind(const StateLayout& layout);
  /// Puts `state` in canonical form (nothing to do without classes).
  void canonicalize(const Scenario& scenario, StateRef state) const;
  /// Per task: it belongs to a copy equal (in everything its key holds) to an earlier copy of its
  /// class. An event on it leads where the same event on that earlier copy does, up to renaming.
  std::vector<bool> twins(StateView state) const;
  /// Why copies were left out of their class, for the run's report ("worker1: named by pause").
  const std::vector<std::string>& notes() const { return notes_; }
  /// The copies treated as one, per class ("worker0..worker3").
  std::vector<std::string> describe(const Scenario& scenario) const;

 private:
  void write_keys(StateView state, std::uint8_t* keys) const;

  /// Where each part of a copy's key lies (bind()).
  struct KeyShape {
    struct Resource {
      std::size_t held = 0, own_node = 0, kept_node = 0, notify = 0;  // 0: absent (never at 0)
    };
    std::vector<Resource> resources;
    std::size_t lists = 0;  // run queue, defer list, ready queue, inject queue, LIFO slot
    std::size_t slot = 0;   // bytes per task slot
    std::vector<std::size_t> copy;      // per class: bytes per copy
    std::vector<std::size_t> class_at;  // per class: where its keys start
    std::size_t total = 0;
  };
  /// A task's key in the keys of one state: where its slot's bytes start.
  struct Member {
    bool in_class = false;
    std::uint32_t key = 0;
  };

  std::vector<Class> classes_;
  std::vector<std::string> notes_;
  KeyShape shape_;
  std::vector<Member> member_;
};

}  // namespace wakecheck::model
