// Packing a state for storage: a model's working state is a run of bytes, and each byte needs only
// a few bits (its width, which the model gives: a flag one, a small counter two or three, a byte
// the scenario never changes none). A stored state keeps exactly those bits, so its size follows
// the scenario: the seed with seven workers packs its 330 working bytes into 32.
//
// Eight bytes are packed at a time with the parallel bit extract instruction (BMI2 `pext`, one
// instruction per word) when the processor has it, and byte by byte otherwise; both give the same
// bits. Unpacking is the inverse (`pdep`).
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define WAKECHECK_HAVE_BMI2_DISPATCH 1
#include <immintrin.h>
#endif

namespace wakecheck::explorer {

class Codec {
 public:
  Codec() = default;
  /// `widths[i]`: the bits byte i of a working state needs (0 to 8); the size is a multiple of 8.
  explicit Codec(const std::vector<std::uint8_t>& widths) {
    bytes_ = (widths.size() + 7) / 8 * 8;
    std::size_t bits = 0;
    for (std::size_t w = 0; w < bytes_ / 8; ++w) {
      Word word;
      for (std::size_t b = 0; b < 8; ++b) {
        const std::size_t i = 8 * w + b;
        const unsigned width = i < widths.size() ? widths[i] : 0U;
        word.mask |= ((width >= 8 ? 0xFFULL : ((1ULL << width) - 1ULL)) << (8 * b));
      }
      word.bits = static_cast<unsigned>(std::popcount(word.mask));
      if (word.bits == 0) continue;
      word.source = w;
      words_.push_back(word);
      bits += word.bits;
    }
    // One word more than the bits need is never written: packed_words() covers every bit.
    packed_words_ = std::max<std::size_t>(1, (bits + 63) / 64);
#ifdef WAKECHECK_HAVE_BMI2_DISPATCH
    bmi2_ = __builtin_cpu_supports("bmi2") != 0;
#endif
  }

  std::size_t state_bytes() const { return bytes_; }
  std::size_t packed_words() const { return packed_words_; }
  std::size_t packed_bits() const {
    std::size_t bits = 0;
    for (const Word& w : words_) bits += w.bits;
    return bits;
  }

  /// Packs `state` (state_bytes()) into `out` (packed_words(), every word written).
  void pack(const std::uint8_t* state, std::uint64_t* out) const {
#ifdef WAKECHECK_HAVE_BMI2_DISPATCH
    if (bmi2_) {
      pack_bmi2(state, out);
      return;
    }
#endif
    pack_portable(state, out);
  }

  /// Unpacks `packed` into `state` (state_bytes(), every byte written).
  void unpack(const std::uint64_t* packed, std::uint8_t* state) const {
#ifdef WAKECHECK_HAVE_BMI2_DISPATCH
    if (bmi2_) {
      unpack_bmi2(packed, state);
      return;
    }
#endif
    unpack_portable(packed, state);
  }

  /// Whether every byte of `state` fits its width (a model whose widths are too small would lose
  /// bits: the tests check this on every state they reach).
  bool fits(const std::uint8_t* state) const {
    for (std::size_t w = 0; w < bytes_ / 8; ++w) {
      std::uint64_t word;
      std::memcpy(&word, state + 8 * w, 8);
      if ((word & ~mask_of(w)) != 0) return false;
    }
    return true;
  }

 private:
  struct Word {
    std::size_t source = 0;  // which 8 bytes of the working state
    std::uint64_t mask = 0;  // the bits kept
    unsigned bits = 0;
  };

  std::uint64_t mask_of(std::size_t source) const {
    for (const Word& w : words_) {
      if (w.source == source) return w.mask;
    }
    return 0;
  }

  template <class Extract>
  [[gnu::always_inline]] inline void pack_with(const std::uint8_t* state, std::uint64_t* out, Extract extract) const {
    std::uint64_t acc = 0;
    unsigned used = 0;
    std::size_t at = 0;
    for (const Word& w : words_) {
      std::uint64_t word;
      std::memcpy(&word, state + 8 * w.source, 8);
      const std::uint64_t bits = extract(word, w.mask);
      acc |= bits << used;
      if (used + w.bits >= 64) {
        out[at++] = acc;
        acc = used == 0 ? 0 : bits >> (64 - used);
        used = used + w.bits - 64;
      } else {
        used += w.bits;
      }
    }
    if (at < packed_words_) out[at++] = acc;
    while (at < packed_words_) out[at++] = 0;
  }

  template <class Deposit>
  [[gnu::always_inline]] inline void unpack_with(const std::uint64_t* packed, std::uint8_t* state, Deposit deposit) const {
    std::memset(state, 0, bytes_);
    unsigned used = 0;
    std::size_t at = 0;
    for (const Word& w : words_) {
      std::uint64_t bits = packed[at] >> used;
      if (used + w.bits > 64) bits |= packed[at + 1] << (64 - used);
      if (w.bits < 64) bits &= (1ULL << w.bits) - 1ULL;
      const std::uint64_t word = deposit(bits, w.mask);
      std::memcpy(state + 8 * w.source, &word, 8);
      used += w.bits;
      if (used >= 64) {
        used -= 64;
        ++at;
      }
    }
  }

  static std::uint64_t extract_portable(std::uint64_t word, std::uint64_t mask) {
    std::uint64_t out = 0;
    unsigned k = 0;
    for (std::uint64_t m = mask; m != 0; m &= m - 1) {
      const std::uint64_t bit = m & (~m + 1);
      if ((word & bit) != 0) out |= 1ULL << k;
      ++k;
    }
    return out;
  }
  static std::uint64_t deposit_portable(std::uint64_t bits, std::uint64_t mask) {
    std::uint64_t out = 0;
    unsigned k = 0;
    for (std::uint64_t m = mask; m != 0; m &= m - 1) {
      const std::uint64_t bit = m & (~m + 1);
      if (((bits >> k) & 1ULL) != 0) out |= bit;
      ++k;
    }
    return out;
  }
  void pack_portable(const std::uint8_t* state, std::uint64_t* out) const { pack_with(state, out, extract_portable); }
  void unpack_portable(const std::uint64_t* packed, std::uint8_t* state) const {
    unpack_with(packed, state, deposit_portable);
  }

#ifdef WAKECHECK_HAVE_BMI2_DISPATCH
  struct Pext {
    __attribute__((target("bmi2"))) std::uint64_t operator()(std::uint64_t word, std::uint64_t mask) const {
      return _pext_u64(word, mask);
    }
  };
  struct Pdep {
    __attribute__((target("bmi2"))) std::uint64_t operator()(std::uint64_t bits, std::uint64_t mask) const {
      return _pdep_u64(bits, mask);
    }
  };
  __attribute__((target("bmi2"))) void pack_bmi2(const std::uint8_t* state, std::uint64_t* out) const {
    pack_with(state, out, Pext{});
  }
  __attribute__((target("bmi2"))) void unpack_bmi2(const std::uint64_t* packed, std::uint8_t* state) const {
    unpack_with(packed, state, Pdep{});
  }
  bool bmi2_ = false;
#endif

  std::size_t bytes_ = 0;
  std::size_t packed_words_ = 1;
  std::vector<Word> words_;
};

}  // namespace wakecheck::explorer
