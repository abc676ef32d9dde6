// Hash compaction: a breadth-first search that keeps a 64-bit fingerprint of each visited state
// instead of the state, for spaces whose states and graph do not fit in memory.
//
// Memory per state is a fingerprint in an open-addressing table at most 90% full (9 to 14 bytes).
// The states waiting to be expanded go to a temporary file (TMPDIR), as each new state's parent
// and event do, so that a counterexample can be rebuilt by replaying its events. Two
// states with the same fingerprint are taken for one, so a state may be missed: with n states the
// probability that any two collide is at most n(n-1)/2 / 2^64 (every pair's chance, summed), which
// the statistics report.
//
// What it decides: invariants (kAlways, kAtDeadEnds) and examples (kSometimes) as the full search
// does, each with a shortest counterexample (the fewest steps; faults are not minimised). Without
// the state graph there are no cycles to search, so a leads-to property is violated only by a
// dead end whose path from the initial state breaks it (a hang with nothing left to run), and is
// otherwise unknown: a run that cycles forever without its target is not looked for (except where
// every transition found a new state: the graph is then a tree, without cycles).
#pragma once

#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <stdexcept>
#include <vector>

#include "explorer/codec.hpp"
#include "explorer/memory.hpp"
#include "explorer/model.hpp"
#include "explorer/pipeline.hpp"
#include "explorer/property.hpp"
#include "explorer/search_types.hpp"
#include "explorer/state_store.hpp"

namespace wakecheck::explorer {

/// A set of 64-bit fingerprints: linear probing over a table whose slot for a fingerprint is its
/// place in the table's range (fingerprint × capacity / 2^64), so that a table growing by half is
/// refilled in one sequential pass, and the old table's pages are given back behind that pass.
/// Fingerprint 0 marks an empty slot (a state hashing to 0 is stored as 1).
class FingerprintSet {
 public:
  explicit FingerprintSet(MemoryBudget* budget) : budget_(budget) {}

  std::size_t size() const { return size_; }
  std::size_t memory_bytes() const { return table_.bytes(); }

  void prefetch(std::uint64_t fingerprint) const {
    if (capacity_ != 0) __builtin_prefetch(slots() + slot_of(fix(fingerprint)));
  }

  bool contains(std::uint64_t fingerprint) const {
    if (capacity_ == 0) return false;
    const std::uint64_t f = fix(fingerprint);
    const std::uint64_t* table = slots();
    for (std::size_t slot = slot_of(f);; slot = slot + 1 == capacity_ ? 0 : slot + 1) {
      if (table[slot] == f) return true;
      if (table[slot] == 0) return false;
    }
  }

  /// Adds `fingerprint`; false when it was there. Throws OutOfMemory when the table cannot grow
  /// (nothing changes then).
  bool insert(std::uint64_t fingerprint) {
    if ((size_ + 1) * 10 > capacity_ * 9) grow();
    return place(slots(), capacity_, fix(fingerprint), true);
  }

 private:
  static std::uint64_t fix(std::uint64_t fingerprint) { return fingerprint == 0 ? 1 : fingerprint; }
  static std::size_t slot_in(std::uint64_t fingerprint, std::size_t capacity) {
    __extension__ using Wide = unsigned __int128;
    return static_cast<std::size_t>((static_cast<Wide>(fingerprint) * capacity) >> 64);
  }
  std::size_t slot_of(std::uint64_t fingerprint) const { return slot_in(fingerprint, capacity_); }
  std::uint64_t* slots() const { return static_cast<std::uint64_t*>(table_.data()); }

  /// Puts `fingerprint` in `table`; false when it was there. `count`: whether size_ counts it.
  bool place(std::uint64_t* table, std::size_t capacity, std::uint64_t fingerprint, bool count) {
    for (std::size_t slot = slot_in(fingerprint, capacity);; slot = slot + 1 == capacity ? 0 : slot + 1) {
      const std::uint64_t s = table[slot];
      if (s == fingerprint) return false;
      if (s == 0) {
        table[slot] = fingerprint;
        if (count) ++size_;
        return true;
      }
    }
  }

  void grow() {
    const std::size_t capacity = std::max<std::size_t>(std::size_t{1} << 12, capacity_ + capacity_ / 2);
    Block bigger(budget_, capacity * sizeof(std::uint64_t));  // zero: every slot empty
    auto* table = static_cast<std::uint64_t*>(bigger.data());
    // In slot order, the fingerprints land in the new table in order too; the old table's pages
    // are handed back every 2 MiB behind the pass, so growing never holds both tables whole.
    constexpr std::size_t kStep = (std::size_t{2} << 20) / sizeof(std::uint64_t);
    std::uint64_t* old = slots();
    for (std::size_t i = 0; i < capacity_; ++i) {
      if (old[i] != 0) place(table, capacity, old[i], false);
      if ((i + 1) % kStep == 0) table_.discard((i + 1 - kStep) * sizeof(std::uint64_t), kStep * sizeof(std::uint64_t));
    }
    table_ = std::move(bigger);
    capacity_ = capacity;
  }

  MemoryBudget* budget_;
  Block table_;
  std::size_t capacity_ = 0;
  std::size_t size_ = 0;
};

/// A temporary file for a search's spill (in TMPDIR, else /tmp), removed as soon as it is made:
/// appended to at its end and read at any offset, from any thread (pread).
class TempFile {
 public:
  TempFile() {
    const char* dir = std::getenv("TMPDIR");
    std::string path = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/wakecheck-XXXXXX";
    fd_ = ::mkstemp(path.data());
    if (fd_ < 0) throw std::runtime_error("cannot make a temporary file in " + path.substr(0, path.rfind('/')));
    ::unlink(path.c_str());
  }
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  std::uint64_t size() const { return size_; }
  void append(const void* data, std::size_t bytes) {
    const auto* p = static_cast<const char*>(data);
    while (bytes > 0) {
      const ssize_t n = ::pwrite(fd_, p, bytes, static_cast<off_t>(size_));
      if (n <= 0) throw std::runtime_error("a temporary file of the search could not be written (disk full?)");
      p += n;
      bytes -= static_cast<std::size_t>(n);
      size_ += static_cast<std::uint64_t>(n);
    }
  }
  void read(std::uint64_t offset, void* data, std::size_t bytes) const {
    auto* p = static_cast<char*>(data);
    while (bytes > 0) {
      const ssize_t n = ::pread(fd_, p, bytes, static_cast<off_t>(offset));
      if (n <= 0) throw std::runtime_error("a temporary file of the search could not be read back");
      p += n;
      bytes -= static_cast<std::size_t>(n);
      offset += static_cast<std::uint64_t>(n);
    }
  }
  /// Gives the disk space of [0, end) back where the file system can (what was read for good).
  void discard_below(std::uint64_t end) {
#ifdef FALLOC_FL_PUNCH_HOLE
    if (end > discarded_) {
      ::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(discarded_),
                  static_cast<off_t>(end - discarded_));
      discarded_ = end;
    }
#else
    (void)end;
#endif
  }

 private:
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::uint64_t discarded_ = 0;
};

/// The states waiting to be expanded, as packed records in a temporary file: appended by the
/// inserting thread (buffered; flush() before others read), read by id by any thread.
class DiskQueue {
 public:
  explicit DiskQueue(std::size_t words) : bytes_(words * sizeof(std::uint64_t)) {}

  std::uint64_t size() const { return flushed_ + buffer_.size() / bytes_; }
  void push_back(const std::uint64_t* record) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(record);
    buffer_.insert(buffer_.end(), p, p + bytes_);
  }
  /// Writes the buffered records out: from now on any thread may read them.
  void flush() {
    if (buffer_.empty()) return;
    file_.append(buffer_.data(), buffer_.size());
    flushed_ += buffer_.size() / bytes_;
    buffer_.clear();
  }
  /// Records [first, last) (flushed) into `out`.
  void read(std::uint64_t first, std::uint64_t last, std::vector<std::uint64_t>& out) const {
    out.resize((last - first) * bytes_ / sizeof(std::uint64_t));
    file_.read(first * bytes_, out.data(), (last - first) * bytes_);
  }
  /// Records below `id` are not read again: their disk space goes back, 16 MiB at a time.
  void done_below(std::uint64_t id) {
    if ((id * bytes_) - done_ >= (std::size_t{16} << 20)) {
      done_ = id * bytes_ / 4096 * 4096;
      file_.discard_below(done_);
    }
  }

 private:
  std::size_t bytes_;
  TempFile file_;
  std::vector<std::uint8_t> buffer_;
  std::uint64_t flushed_ = 0;
  std::uint64_t done_ = 0;
};

/// Each stored state's parent and the index of the event that reached it, in a temporary file.
class ParentLog {
 public:
  struct Link {
    std::uint32_t parent;
    std::uint16_t choice;
  };

  void append(Link link) {
    std::uint8_t* at = buffer_.data() + used_;
    std::memcpy(at, &link.parent, 4);
    std::memcpy(at + 4, &link.choice, 2);
    used_ += kLinkBytes;
    if (used_ == buffer_.size()) flush();
  }

  /// The link of state `id` (id > 0: the initial state has none).
  Link at(std::uint64_t id) {
    flush();
    std::uint8_t bytes[kLinkBytes];
    file_.read((id - 1) * kLinkBytes, bytes, kLinkBytes);
    Link link{};
    std::memcpy(&link.parent, bytes, 4);
    std::memcpy(&link.choice, bytes + 4, 2);
    return link;
  }

 private:
  static constexpr std::size_t kLinkBytes = 6;

  void flush() {
    file_.append(buffer_.data(), used_);
    used_ = 0;
  }

  TempFile file_;
  std::vector<std::uint8_t> buffer_ = std::vector<std::uint8_t>(kLinkBytes << 16);
  std::size_t used_ = 0;
};

/// The probability that some state was missed, for `n` states with 64-bit fingerprints: at most
/// the sum over pairs of their chance to collide, n(n-1)/2 / 2^64.
inline double omission_probability(std::uint64_t n) {
  const double pairs = static_cast<double>(n) * (static_cast<double>(n) - 1.0) / 2.0;
  return std::min(1.0, pairs / std::ldexp(1.0, 64));
}

/// Explores `model` breadth-first keeping fingerprints only, and decides what that can decide
/// (see the top of this file).
template <Model M>
SearchResult<typename M::Event> search_compacted(const M& model, const std::vector<Property>& properties,
                                                 const SearchOptions& options) {
  using Event = typename M::Event;
  SearchClock clock(options);
  const Codec codec(model.state_widths());
  MemoryBudget budget(memory_limit(options));
  FingerprintSet seen(&budget);
  DiskQueue frontier(codec.packed_words());
  ParentLog parents;
  const std::size_t bytes = codec.state_bytes();
  const std::size_t words = codec.packed_words();

  SearchResult<Event> result;
  SearchStats& stats = result.stats;
  stats.state_bytes = bytes;
  stats.packed_bits = codec.packed_bits();
  stats.hash_compaction = true;
  bool symmetric = false;
  if constexpr (SymmetricModel<M>) symmetric = options.symmetry && model.has_symmetry();
  stats.symmetry = symmetric;
  auto normalize = [&](std::uint8_t* state) {
    if constexpr (SymmetricModel<M>) {
      if (symmetric) model.canonicalize(state);
    } else {
      (void)state;
    }
  };

  // Per property: the first state (breadth-first) deciding it; for leads-to, the dead ends where
  // its target is false, in order, which the end checks along their paths.
  std::vector<std::optional<std::uint64_t>> first(properties.size());
  std::vector<bool> antecedent_seen(properties.size(), false);
  std::vector<std::vector<std::uint64_t>> suspects(properties.size());
  constexpr std::size_t kSuspectsKept = 64;
  std::vector<bool> suspects_dropped(properties.size(), false);
  bool violation_seen = false;

  struct Expansion {
    std::vector<std::uint32_t> counts;
    std::vector<std::uint8_t> dead;
    std::vector<std::uint64_t> keys, hashes;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> hits;  // (id, code)
    std::vector<std::uint64_t> records;  // the chunk's own states, read from the queue
    std::vector<std::uint8_t> current, next;
    std::vector<Event> events;
  };
  auto compute = [&](Expansion& c, std::uint32_t from, std::uint32_t to) {
    c.counts.clear();
    c.dead.clear();
    c.keys.clear();
    c.hashes.clear();
    c.hits.clear();
    c.current.resize(bytes);
    c.next.resize(bytes);
    frontier.read(from, to, c.records);
    for (std::uint32_t id = from; id < to; ++id) {
      codec.unpack(c.records.data() + (id - from) * words, c.current.data());
      c.events.clear();
      model.enabled(c.current.data(), c.events);
      bool dead_end = true;
      for (const Event& event : c.events) dead_end = dead_end && model.is_environment(event);
      c.dead.push_back(dead_end ? 1 : 0);
      state_decisions(properties, c.current.data(), dead_end, true,
                      [&](std::uint32_t code) { c.hits.emplace_back(id, code); });
      c.counts.push_back(static_cast<std::uint32_t>(c.events.size()));
      for (const Event& event : c.events) {
        model.step(c.current.data(), event, c.next.data());
        normalize(c.next.data());
        const std::size_t at = c.keys.size();
        c.keys.resize(at + words);
        codec.pack(c.next.data(), c.keys.data() + at);
        c.hashes.push_back(hash_record(c.keys.data() + at, words));
      }
    }
  };

  std::uint32_t level = 0;
  std::uint64_t level_end = 1, expanded = 0;
  auto note = [&](std::uint32_t id, std::uint32_t code) {
    const std::uint32_t i = code & ~decision::kFlags;
    if ((code & decision::kAntecedent) != 0) {
      antecedent_seen[i] = true;
    } else if ((code & decision::kSuspect) != 0) {
      if (suspects[i].size() < kSuspectsKept) {
        suspects[i].push_back(id);
      } else {
        suspects_dropped[i] = true;
      }
      violation_seen = true;
    } else if ((code & (decision::kCondition | decision::kTarget)) == 0 && !first[i]) {
      first[i] = id;
      violation_seen = violation_seen || properties[i].kind != PropertyKind::kSometimes;
    }
  };
  auto insert = [&](Expansion& c, std::uint32_t from, std::uint32_t to) {
    constexpr std::size_t kAhead = 16;
    for (std::size_t k = 0; k < std::min(kAhead, c.hashes.size()); ++k) seen.prefetch(c.hashes[k]);
    std::size_t hit = 0, successor = 0;
    for (std::uint32_t id = from; id < to; ++id) {
      if (id == level_end) {
        ++level;
        level_end = frontier.size();
      }
      for (; hit < c.hits.size() && c.hits[hit].first == id; ++hit) note(id, c.hits[hit].second);
      if (c.dead[id - from] != 0) ++stats.dead_ends;
      const std::uint32_t n = c.counts[id - from];
      for (std::uint32_t k = 0; k < n; ++k, ++successor) {
        if (successor + kAhead < c.hashes.size()) seen.prefetch(c.hashes[successor + kAhead]);
        ++stats.transitions;
        if (seen.size() >= options.max_states && !seen.contains(c.hashes[successor])) {
          stats.stop = Stop::kMaxStates;
          return false;
        }
        if (!seen.insert(c.hashes[successor])) continue;
        frontier.push_back(c.keys.data() + successor * words);
        parents.append({id, static_cast<std::uint16_t>(k)});
        stats.depth = level + 1;
      }
      expanded = id + 1;
    }
    frontier.done_below(to);
    return clock.go_on(violation_seen, stats.stop, [&](double elapsed) {
      return Progress{seen.size(), stats.transitions, stats.depth, frontier.size() - expanded, budget.used(), elapsed};
    });
  };

  try {
    std::vector<std::uint8_t> initial(bytes);
    model.initial(initial.data());
    normalize(initial.data());
    std::vector<std::uint64_t> key(words);
    codec.pack(initial.data(), key.data());
    seen.insert(hash_record(key.data(), words));
    frontier.push_back(key.data());
    // The queue is flushed before the pipeline hands out new chunks: other threads read it.
    Pipeline<Expansion>::run(options.threads, 512, compute, insert, [&] {
      frontier.flush();
      return frontier.size();
    });
  } catch (const OutOfMemory&) {
    stats.stop = Stop::kMemory;
  } catch (const std::bad_alloc&) {
    stats.stop = Stop::kMemory;
  }
  stats.states = seen.size();
  stats.memory_bytes = budget.peak();
  stats.omission_probability = omission_probability(stats.states);

  // The events from the initial state to state `id`: the parent links back, then replayed forward,
  // each step taking the concrete event whose successor has the stored successor's form.
  auto path_to = [&](std::uint64_t id) {
    std::vector<std::uint16_t> choices;
    while (id != 0) {
      const ParentLog::Link link = parents.at(id);
      choices.push_back(link.choice);
      id = link.parent;
    }
    std::reverse(choices.begin(), choices.end());
    std::vector<std::vector<std::uint8_t>> states;  // the stored form of each state on the path
    std::vector<Event> events;
    std::vector<std::uint8_t> stored(bytes), concrete(bytes), next(bytes), probe(bytes);
    model.initial(concrete.data());
    stored = concrete;
    normalize(stored.data());
    states.push_back(stored);
    std::vector<Event> enabled;
    for (const std::uint16_t choice : choices) {
      enabled.clear();
      model.enabled(stored.data(), enabled);
      model.step(stored.data(), enabled[choice], next.data());
      normalize(next.data());
      stored = next;
      states.push_back(stored);
      enabled.clear();
      model.enabled(concrete.data(), enabled);
      for (const Event& event : enabled) {
        model.step(concrete.data(), event, probe.data());
        std::vector<std::uint8_t> form = probe;
        normalize(form.data());
        if (form == stored) {
          events.push_back(event);
          concrete = probe;
          break;
        }
      }
    }
    return std::pair{std::move(events), std::move(states)};
  };

  const bool complete = stats.complete();
  try {
    for (std::size_t i = 0; i < properties.size(); ++i) {
      const Property& p = properties[i];
      PropertyOutcome<Event> outcome;
      outcome.name = p.name;
      outcome.kind = p.kind;
      outcome.vacuous = p.antecedent && !antecedent_seen[i] && complete;
      if (p.kind == PropertyKind::kLeadsTo) {
        // A dead end without the target breaks "P leads to Q" when its path has a P state after
        // the last Q state (any state, for "eventually Q").
        for (const std::uint64_t id : suspects[i]) {
          auto [events, states] = path_to(id);
          bool owed = false;
          for (std::size_t k = 0; k < states.size(); ++k) owed = leads_to_owed(p, states[k].data(), k == 0, owed);
          if (owed) {
            outcome.verdict = Verdict::kViolated;
            outcome.trace = Trace<Event>{std::move(events), std::nullopt};
            break;
          }
        }
        // Where every transition found a new state the graph is a tree: no cycles, one path to
        // each dead end, so the dead ends checked decide the property.
        const bool tree = complete && stats.transitions + 1 == stats.states;
        if (outcome.verdict != Verdict::kViolated) {
          if (tree && !suspects_dropped[i]) {
            outcome.verdict = Verdict::kHolds;
          } else {
            outcome.verdict = Verdict::kUnknown;
            stats.cycles_unsearched = true;
          }
        }
      } else if (first[i]) {
        outcome.verdict = p.kind == PropertyKind::kSometimes ? Verdict::kHolds : Verdict::kViolated;
        outcome.trace = Trace<Event>{path_to(*first[i]).first, std::nullopt};
      } else if (complete) {
        outcome.verdict = p.kind == PropertyKind::kSometimes ? Verdict::kViolated : Verdict::kHolds;
      }
      result.outcomes.push_back(std::move(outcome));
    }
  } catch (const std::bad_alloc&) {
    stats.stop = Stop::kMemory;
  }
  stats.seconds = clock.seconds();
  return result;
}

}  // namespace wakecheck::explorer
