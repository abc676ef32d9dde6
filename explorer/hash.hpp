// A stable 64-bit hash for state values.
//
// States are hashed by their bytes, so a state type must have a unique object representation
// (no padding, no pointers): two equal states then have equal bytes. The seed is fixed, so a
// hash is the same on every run and every machine of the same byte order, which later lets
// distributed workers agree on who owns a state. Unlike std::hash, small integers do not hash
// to themselves.
#pragma once

#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace wakecheck::explorer {

inline constexpr std::uint64_t kHashSeed = 0x9E3779B97F4A7C15ULL;

namespace detail {
constexpr std::uint64_t mix(std::uint64_t x) {
  // The finaliser of SplitMix64: every input bit affects every output bit.
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  x ^= x >> 31;
  return x;
}
}  // namespace detail

/// Hashes `size` bytes at `data` without allocating: four independent lanes take 32 bytes per
/// round (xxHash64's round: multiply, rotate, multiply), so the multiplications overlap; the
/// lanes are then merged and the rest taken eight bytes at a time.
inline std::uint64_t hash_bytes(const void* data, std::size_t size,
                                std::uint64_t seed = kHashSeed) {
  constexpr std::uint64_t kP1 = 0x9E3779B185EBCA87ULL;
  constexpr std::uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
  const auto round = [](std::uint64_t acc, std::uint64_t word) {
    return std::rotl(acc + word * kP2, 31) * kP1;
  };
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint64_t h = seed ^ (size * 0xFF51AFD7ED558CCDULL);
  if (size >= 32) {
    std::uint64_t lane[4] = {seed + kP1 + kP2, seed + kP2, seed, seed - kP1};
    while (size >= 32) {
      for (int k = 0; k < 4; ++k) {
        std::uint64_t word;
        std::memcpy(&word, p + 8 * k, 8);
        lane[k] = round(lane[k], word);
      }
      p += 32;
      size -= 32;
    }
    for (const std::uint64_t l : lane) h = detail::mix(h ^ round(0, l));
  }
  while (size >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    h = detail::mix(h ^ word) + 0x632BE59BD9B4E019ULL;
    p += 8;
    size -= 8;
  }
  if (size > 0) {
    std::uint64_t word = 0;
    std::memcpy(&word, p, size);
    h = detail::mix(h ^ word ^ (static_cast<std::uint64_t>(size) << 56));
  }
  return detail::mix(h);
}

namespace detail {
__extension__ using Wide = unsigned __int128;
/// The folded 128-bit product (wyhash's mum): every bit of each input reaches the middle bits of
/// the product, and the fold brings the high half down.
inline std::uint64_t fold_multiply(std::uint64_t a, std::uint64_t b) {
  const Wide product = static_cast<Wide>(a) * b;
  return static_cast<std::uint64_t>(product) ^ static_cast<std::uint64_t>(product >> 64);
}
}  // namespace detail

/// Hashes `count` 64-bit words (a packed state: explorer/codec.hpp) on a short dependency chain,
/// in the manner of wyhash: each pair of words is folded-multiplied, each word with its own secret,
/// independently of the others, the products are combined, and a last folded multiply finishes.
/// Computed for every successor of every state, it takes a few multiplications that overlap,
/// where hash_bytes would chain a finaliser per word.
inline std::uint64_t hash_words(const std::uint64_t* words, std::size_t count, std::uint64_t seed = kHashSeed) {
  constexpr std::uint64_t kSecret[4] = {0xA0761D6478BD642FULL, 0xE7037ED1A0B428DBULL, 0x8EBC6AF09C88C6E3ULL,
                                        0x589965CC75374CC3ULL};
  std::uint64_t lane[2] = {seed ^ (count * kSecret[0]), seed + kSecret[3]};
  std::size_t i = 0;
  for (; i + 2 <= count; i += 2) {
    lane[(i / 2) % 2] ^= detail::fold_multiply(words[i] ^ kSecret[i % 4], words[i + 1] ^ kSecret[(i + 1) % 4]);
  }
  if (i < count) lane[1] ^= detail::fold_multiply(words[i] ^ kSecret[i % 4], kSecret[(i + 1) % 4] ^ count);
  return detail::fold_multiply(lane[0] ^ kSecret[1], lane[1] ^ kSecret[2]);
}

/// A value the explorer can store and hash by its bytes.
template <class T>
concept HashableValue = std::is_trivially_copyable_v<T> && std::has_unique_object_representations_v<T> &&
                        std::equality_comparable<T>;

template <HashableValue T>
std::uint64_t hash_value(const T& value) {
  return hash_bytes(&value, sizeof value);
}

}  // namespace wakecheck::explorer
