// release_free_heap: free pages fragmented between long-lived blocks (the
// pattern of a load run: churned requests around kept time-series seconds)
// go back to the operating system.
#include "load/heap_trim.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "tests/support/process_memory.hpp"

namespace golive::load {
namespace {

TEST(HeapTrim, FreePagesBetweenKeptBlocksReturnToTheOs) {
#if !defined(__GLIBC__)
  GTEST_SKIP() << "malloc_trim is glibc's";
#endif
  constexpr std::size_t kBlock = 4096;
  constexpr std::size_t kBlocks = 16384;  // 64 MiB in all
  std::vector<std::unique_ptr<char[]>> blocks;
  blocks.reserve(kBlocks);
  for (std::size_t i = 0; i < kBlocks; ++i) {
    blocks.emplace_back(new char[kBlock]);
    std::memset(blocks.back().get(), 1, kBlock);  // resident, not just reserved
  }
  // Keep one block in 16: the heap cannot shrink from the top, only inside.
  for (std::size_t i = 0; i < kBlocks; ++i) {
    if (i % 16 != 15) blocks[i].reset();
  }
  const long before_kib = golive::testing::resident_kib();
  EXPECT_TRUE(release_free_heap());
  const long after_kib = golive::testing::resident_kib();
  EXPECT_GT(before_kib - after_kib, 32 * 1024) << "resident " << before_kib << " KiB before, " << after_kib
                                              << " KiB after the trim";
}

}  // namespace
}  // namespace golive::load
