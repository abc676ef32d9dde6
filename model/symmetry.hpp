// Symmetry over identical task copies: a scenario's `copies` of one task group behave alike, so
// states that differ only by a renaming of interchangeable copies are one state for the search.
// canonicalize() maps a state to one representative of its orbit: the copies of each class sorted
// by a key holding everything a copy is (its task state, its children's, the guards it holds, its
// futures' flags and variables) and its place in every ordered queue (waiters, run queue, defer
// list), which makes the representative exact when the copies only meet in queues. The key is
// compared as a 64-bit fingerprint of the copy's own state, then its places: copies that only
// move up a queue keep their order, so most successors are already canonical. Two different
// copies with one fingerprint (about 2^-64 per pair) are left where they are: the state is then
// stored once more than needed, never lost.
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
  /// Puts `state` in canonical form (nothing to do without classes). With `parent`, a state in
  /// canonical form that `state` is a successor of, the copies the step left alone keep the
  /// fingerprints computed for the parent (kept per thread): the result is the same.
  void canonicalize(const Scenario& scenario, StateRef state, const std::uint8_t* parent = nullptr) const;
  /// Per task: it belongs to a copy equal (in everything its key holds) to an earlier copy of its
  /// class. An event on it leads where the same event on that earlier copy does, up to renaming.
  std::vector<bool> twins(StateView state) const;
  /// Why copies were left out of their class, for the run's report ("worker1: named by pause").
  const std::vector<std::string>& notes() const { return notes_; }
  /// The copies treated as one, per class ("worker0..worker3").
  std::vector<std::string> describe(const Scenario& scenario) const;

 private:
  /// What copy `i` of class `ci` is, its places in lists aside, as words: `slot_words(a, b, c)`
  /// per slot, its task state with its references as the copy sees them and whether it owns each
  /// std mutex; then `rest_word(w, last)` for the guards it holds, its waiter nodes, Notify marks,
  /// futures' flags and variables, eight bytes to a word. Two copies are alike when their words
  /// and places are.
  template <class SlotWords, class RestWord>
  void copy_words(StateView state, std::size_t ci, std::size_t i, SlotWords slot_words, RestWord rest_word) const;
  /// A 64-bit fingerprint of copy_words().
  std::uint64_t fingerprint(StateView state, std::size_t ci, std::size_t i) const;
  /// Writes each class member's places in the ordered lists (0: not there) into `places`.
  void write_places(StateView state, std::uint8_t* places) const;

  /// Where the parts of a copy lie (bind()).
  struct Shape {
    // The places of a copy in ordered lists: per slot, run queue, defer list, ready queue, inject
    // queue, LIFO slot, then per resource its own node's, its kept node's and its Notify
    // waiter's place, where the resource has them.
    struct ResourcePlaces {
      std::size_t own = 0, kept = 0, notify = 0;  // 0: absent (never at 0)
    };
    std::vector<ResourcePlaces> resource_places;
    std::size_t place_width = 0;               // bytes per task slot
    std::vector<std::size_t> copy_places;      // per class: bytes per copy, whole words
    std::vector<std::size_t> class_places_at;  // per class: where its places start
    std::size_t places_total = 0;
    // What copy_words() reads besides the task states, as byte offsets in the state, per class
    // copy after copy (gather_length[ci] each); and per resource its std mutex's owner byte.
    std::vector<std::vector<std::uint32_t>> gather;
    std::vector<std::size_t> gather_length;
    std::vector<std::uint32_t> std_owners;
  };
  /// A task's slot among the places of one state.
  struct Member {
    bool in_class = false;
    std::uint32_t place = 0;
  };

  /// Per byte of a state: the copy (numbered across classes) whose fingerprint reads it,
  /// kShared when any copy's may (a std mutex's owner), kNone when none does.
  static constexpr std::uint16_t kNone = 0xFFFF, kShared = 0xFFFE;
  std::vector<std::uint16_t> byte_owner_;
  std::vector<std::size_t> class_first_;  // per class: the number of its first copy
  std::size_t copy_count_ = 0;
  std::uint64_t binding_ = 0;  // a number of its own per bind(): whose fingerprints a thread keeps

  std::vector<Class> classes_;
  std::vector<std::string> notes_;
  Shape shape_;
  std::vector<Member> member_;
};

}  // namespace wakecheck::model
