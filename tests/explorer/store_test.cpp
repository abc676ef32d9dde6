// The stable hash, the bit-packing codec and the state store.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "explorer/codec.hpp"
#include "explorer/hash.hpp"
#include "explorer/memory.hpp"
#include "explorer/state_store.hpp"

#include <CppUTest/TestHarness.h>

#include "tests/explorer/toys.hpp"

using namespace wakecheck::testing;
using wakecheck::explorer::Codec;
using wakecheck::explorer::hash_bytes;
using wakecheck::explorer::hash_record;
using wakecheck::explorer::hash_value;
using wakecheck::explorer::hash_words;
using wakecheck::explorer::HashableValue;
using wakecheck::explorer::index_of;
using wakecheck::explorer::MemoryBudget;
using wakecheck::explorer::OutOfMemory;
using wakecheck::explorer::StateId;
using wakecheck::explorer::StateStore;

TEST_GROUP(Hash){};

TEST(Hash, PinsTheHashOfFixedBytes) {
  // Computed once (and cross-checked against an independent implementation of the same
  // SplitMix64-based scheme); a change here changes every state's table slot.
  const std::array<std::uint8_t, 11> bytes{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}};
  static_assert(HashableValue<std::array<std::uint8_t, 11>>);
  CHECK_EQUAL(std::uint64_t{0xB1487118E2CC09B1ULL}, hash_value(bytes));
  CHECK_EQUAL(std::uint64_t{0xB1487118E2CC09B1ULL}, hash_bytes(bytes.data(), bytes.size()));
  CHECK_EQUAL(std::uint64_t{0xA7A77FA7864E4A5DULL}, hash_value(CounterState{2, 3}));
  CHECK_EQUAL(std::uint64_t{0xD24429E506356D2DULL}, hash_value(std::uint32_t{0x01020304}));
  CHECK_EQUAL(std::uint64_t{0xE220A8397B1DCDAFULL}, hash_bytes(nullptr, 0));
  // 45 bytes: one 32-byte round of the four lanes, one word, a tail of five.
  std::array<std::uint8_t, 45> long_bytes{};
  for (std::size_t i = 0; i < long_bytes.size(); ++i) long_bytes[i] = static_cast<std::uint8_t>(i + 1);
  CHECK_EQUAL(std::uint64_t{0x67B8E7F220CA9B45ULL}, hash_value(long_bytes));
}

TEST(Hash, EqualValuesHashEqualAndSmallIntegersDoNotHashToThemselves) {
  const CounterState first{2, 3};
  CounterState second{0, 0};
  second.a = 2;
  second.b = 3;
  CHECK_EQUAL(hash_value(first), hash_value(second));
  CHECK_TRUE(hash_value(CounterState{3, 2}) != hash_value(first));
  const std::uint8_t zero = 0;
  const std::uint8_t one = 1;
  CHECK_EQUAL(std::uint64_t{0x0A0D2286251BFC22ULL}, hash_bytes(&zero, 1));
  CHECK_EQUAL(std::uint64_t{0x78B9D150588AD653ULL}, hash_bytes(&one, 1));
}

TEST(Hash, PinsTheHashOfPackedWords) {
  // A change here changes every stored state's table slot (and hash compaction's fingerprints).
  const std::array<std::uint64_t, 4> words{{1, 2, 3, 4}};
  const auto pin = [&](std::size_t count) { return hash_words(words.data(), count); };
  CHECK_EQUAL(std::uint64_t{0x142CD0A39BFD6397ULL}, pin(0));
  CHECK_EQUAL(std::uint64_t{0x13422A0EC7E1369BULL}, pin(1));
  CHECK_EQUAL(std::uint64_t{0xFA56EDC1F46B75FAULL}, pin(3));
  CHECK_EQUAL(std::uint64_t{0x2A6D696494E8F372ULL}, pin(4));
  CHECK_EQUAL(hash_words(words.data(), 4), hash_record(words.data(), 4));
}

TEST(Hash, PackedStatesThatDifferInFewBitsSpreadOverTheTable) {
  // Packed states are small integers side by side, differing in a few bits: 65,536 of them
  // (every value of two bytes in each of four places) get distinct hashes, and the top byte (the
  // slot of a table of 256, as the index uses the top bits) fills every slot within 25% of the
  // mean.
  std::vector<std::uint64_t> hashes;
  std::array<std::size_t, 256> slots{};
  for (std::uint64_t v = 0; v < 65536; ++v) {
    const std::array<std::uint64_t, 4> record{{v & 0xF, (v >> 4) & 0xF, (v >> 8) & 0xF, v >> 12}};
    const std::uint64_t h = hash_words(record.data(), record.size());
    hashes.push_back(h);
    ++slots[h >> 56];
  }
  std::sort(hashes.begin(), hashes.end());
  CHECK_TRUE(std::adjacent_find(hashes.begin(), hashes.end()) == hashes.end());
  for (const std::size_t n : slots) {
    CHECK_TRUE(n > 192 && n < 320);
  }
}

TEST_GROUP(Codec){};

namespace {

/// Widths for 24 bytes: a mix of zero, one, three and eight bits, so fields straddle words.
std::vector<std::uint8_t> mixed_widths() {
  std::vector<std::uint8_t> widths(24, 0);
  for (std::size_t i = 0; i < widths.size(); ++i) widths[i] = static_cast<std::uint8_t>((i * 5) % 9);
  return widths;
}

}  // namespace

TEST(Codec, KeepsExactlyTheBitsEachByteNeeds) {
  const Codec codec(mixed_widths());
  std::size_t bits = 0;
  for (const auto w : mixed_widths()) bits += w;
  UNSIGNED_LONGS_EQUAL(bits, codec.packed_bits());
  UNSIGNED_LONGS_EQUAL((bits + 63) / 64, codec.packed_words());
  UNSIGNED_LONGS_EQUAL(24, codec.state_bytes());
}

TEST(Codec, UnpackingAPackedStateGivesItBack) {
  const Codec codec(mixed_widths());
  const auto widths = mixed_widths();
  std::uint32_t seed = 12345;
  for (int round = 0; round < 200; ++round) {
    std::vector<std::uint8_t> state(24), back(24, 0xAA);
    for (std::size_t i = 0; i < state.size(); ++i) {
      seed = seed * 1103515245U + 12345U;
      const unsigned mask = widths[i] >= 8 ? 0xFFU : ((1U << widths[i]) - 1U);
      state[i] = static_cast<std::uint8_t>((seed >> 16) & mask);
    }
    CHECK_TRUE(codec.fits(state.data()));
    std::vector<std::uint64_t> packed(codec.packed_words());
    codec.pack(state.data(), packed.data());
    codec.unpack(packed.data(), back.data());
    CHECK_TRUE(state == back);
  }
}

TEST(Codec, ABitBeyondItsWidthDoesNotFit) {
  const Codec codec(mixed_widths());
  std::vector<std::uint8_t> state(24, 0);
  CHECK_TRUE(codec.fits(state.data()));
  state[0] = 1;  // byte 0 has width 0
  CHECK_FALSE(codec.fits(state.data()));
}

TEST(Codec, DistinctStatesPackDistinctly) {
  // Two states that differ in one kept bit differ once packed.
  const Codec codec(mixed_widths());
  std::vector<std::uint8_t> a(24, 0), b(24, 0);
  b[23] = 1;  // width (23 * 5) % 9 = 7
  std::vector<std::uint64_t> pa(codec.packed_words()), pb(codec.packed_words());
  codec.pack(a.data(), pa.data());
  codec.pack(b.data(), pb.data());
  CHECK_FALSE(pa == pb);
}

TEST_GROUP(StateStore){};

TEST(StateStore, DeduplicatesThroughIndexGrowth) {
  // 50 * 50 = 2500 records of one word: the 1024-slot index grows three times; ids follow the
  // order of first insertion and the same record always finds its id.
  MemoryBudget budget;
  StateStore store(1, &budget);
  std::uint32_t expected = 0;
  for (std::uint64_t a = 0; a < 50; ++a) {
    for (std::uint64_t b = 0; b < 50; ++b) {
      const std::uint64_t key = (a << 8) | b;
      const auto [id, is_new] = store.insert(&key, hash_record(&key, 1));
      CHECK_TRUE(is_new);
      UNSIGNED_LONGS_EQUAL(expected++, index_of(id));
    }
  }
  UNSIGNED_LONGS_EQUAL(2500, store.size());
  expected = 0;
  for (std::uint64_t a = 0; a < 50; ++a) {
    for (std::uint64_t b = 0; b < 50; ++b) {
      const std::uint64_t key = (a << 8) | b;
      const auto [id, is_new] = store.insert(&key, hash_record(&key, 1));
      CHECK_FALSE(is_new);
      UNSIGNED_LONGS_EQUAL(expected, index_of(id));
      CHECK_TRUE(store.find(&key, hash_record(&key, 1)) == id);
      CHECK_EQUAL(key, *store.record(id));
      ++expected;
    }
  }
  UNSIGNED_LONGS_EQUAL(2500, store.size());
  CHECK_TRUE(store.memory_bytes() > 0);
  CHECK_TRUE(budget.used() == store.memory_bytes());
}

TEST(StateStore, RefusesToGrowBeyondItsBudgetAndStaysUsable) {
  // A budget that holds the first chunk of records and the first index but not the index's
  // growth: the insert that needs it throws, and the store still holds what it had.
  MemoryBudget budget((std::size_t{4} << 20) + 1024 * 8);  // records come in chunks of 4 MiB
  StateStore store(1, &budget);
  std::uint64_t key = 0;
  bool refused = false;
  for (; key < 2000; ++key) {
    try {
      store.insert(&key, hash_record(&key, 1));
    } catch (const OutOfMemory&) {
      refused = true;
      break;
    }
  }
  CHECK_TRUE(refused);
  UNSIGNED_LONGS_EQUAL(key, store.size());
  for (std::uint64_t k = 0; k < key; ++k) CHECK_TRUE(store.find(&k, hash_record(&k, 1)).has_value());
  CHECK_TRUE(budget.peak() <= budget.limit());
}
