// Returning a long load run's freed heap to the operating system.
//
// Why: glibc's malloc gives each worker thread its own arena and keeps the
// memory a thread frees for reuse. A load generator allocates and frees a
// workflow run, its requests and responses thousands of times a second, and
// keeps a few long-lived blocks (each closed second of the time series) in
// between, so free pages pile up inside the arenas: a heap profile of the
// 1,000-VU soak shows live heap flat while resident memory kept creeping up
// (see DEVELOPERS.md, "Soak"). malloc_trim(0) gives every whole free page of
// every arena back (madvise), which caps resident memory near the live heap.
//
// The load coordinator calls release_free_heap() every kTrimInterval, on its
// own thread, never on a worker's request path. One call walks the arenas
// under their locks, so a worker allocating at that moment waits for it; its
// duration has not been measured separately (the soak figures in
// DEVELOPERS.md include it). On a C library without malloc_trim it does nothing.
#pragma once

#include <chrono>

namespace golive::load {

// How often a load run trims: rare enough to cost nothing measurable, often
// enough that resident memory never runs far ahead of the live heap.
inline constexpr std::chrono::seconds kTrimInterval{5};

// Gives the allocator's free pages back to the OS; true when some were.
bool release_free_heap();

}  // namespace golive::load
