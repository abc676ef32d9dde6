#include "properties/hold_analysis.hpp"

#include <algorithm>

namespace wakecheck::properties {

namespace {

using model::Op;
using model::OpKind;

constexpr std::uint8_t kMany = 3;

Holdings transfer(Holdings h, const Op& op) {
  if (op.a >= h.size()) return h;
  std::uint8_t& n = h[op.a];
  switch (op.kind) {
    case OpKind::kLock:
    case OpKind::kTryLock:
    case OpKind::kSelect:
    case OpKind::kAwaitHanded:
    case OpKind::kStdLock:
      n = static_cast<std::uint8_t>(std::min<int>(n + 1, kMany));
      break;
    case OpKind::kUnlock:
    case OpKind::kStdUnlock:
      if (n != kMany && n > 0) --n;
      break;
    default: break;
  }
  return h;
}

}  // namespace

std::vector<std::optional<Holdings>> may_hold(const std::vector<Op>& program, const Holdings& entry) {
  const std::size_t size = program.size();
  // Successors beyond the next operation and jumps: inside a nested future, any operation may be
  // where the future is cancelled (drop_on_pause, timeout), which continues after its end.
  std::vector<std::vector<std::size_t>> extra(size);
  for (std::size_t pc = 0; pc < size; ++pc) {
    if (program[pc].kind != OpKind::kWrapBegin) continue;
    const std::size_t end = std::min<std::size_t>(program[pc].b, size);
    for (std::size_t q = pc; q < end; ++q) extra[q].push_back(end);
  }
  std::vector<std::optional<Holdings>> at(size);
  std::vector<std::size_t> work;
  auto reach = [&](std::size_t pc, const Holdings& h) {
    if (pc >= size) return;  // the program ends
    if (!at[pc]) {
      at[pc] = h;
      work.push_back(pc);
      return;
    }
    bool grew = false;
    for (std::size_t r = 0; r < h.size(); ++r) {
      if (h[r] > (*at[pc])[r]) {
        (*at[pc])[r] = h[r];
        grew = true;
      }
    }
    if (grew) work.push_back(pc);
  };
  reach(0, entry);
  while (!work.empty()) {
    const std::size_t pc = work.back();
    work.pop_back();
    const Op& op = program[pc];
    const Holdings out = transfer(*at[pc], op);
    switch (op.kind) {
      case OpKind::kJump: reach(op.b, out); break;
      case OpKind::kJumpUnless:
        reach(pc + 1, out);
        reach(op.b, out);
        break;
      case OpKind::kReturn: break;
      case OpKind::kNextChild:  // a branch finished: its body (pc + 2); or the set is done
        reach(pc + 1, out);
        reach(pc + 2, out);
        break;
      default: reach(pc + 1, out); break;
    }
    for (std::size_t next : extra[pc]) reach(next, out);
  }
  return at;
}

std::optional<Holdings> handler_entry(const std::vector<Op>& program, const std::vector<std::optional<Holdings>>& at,
                                      std::size_t handler) {
  std::optional<Holdings> entry;
  bool inside = false;
  for (std::size_t pc = 0; pc < program.size(); ++pc) {
    const Op& op = program[pc];
    if (op.kind == OpKind::kGuardBegin && op.a == handler) inside = true;
    if (inside && at[pc]) {
      if (!entry) entry = Holdings{};
      for (std::size_t r = 0; r < entry->size(); ++r) (*entry)[r] = std::max((*entry)[r], (*at[pc])[r]);
    }
    if (op.kind == OpKind::kGuardEnd && op.a == handler) inside = false;
  }
  return entry;
}

}  // namespace wakecheck::properties
