// Replaces the global operator new and operator delete of a test program so that a test can
// count its allocations (`allocations`, every operator new since the start, from any thread).
// Include it in exactly one source file of a program: replacement functions are defined
// here, and a second definition would not link. (Under valgrind, run with
// --soname-synonyms=somalloc=nouserintercepts so that these stay in use.)
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace counting_new {
inline std::atomic<std::size_t> allocations{0};
}  // namespace counting_new

void* operator new(std::size_t size) {
  counting_new::allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* block = std::malloc(size == 0 ? 1 : size)) {
    return block;
  }
  throw std::bad_alloc();
}

void* operator new[](std::size_t size) {
  return operator new(size);
}

void* operator new(std::size_t size, const std::nothrow_t& /*tag*/) noexcept {
  counting_new::allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}

void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}

// These operators pair with the operator new above, which uses malloc, so freeing is right.
// GCC, inlining a delete where it can see the matching new (at -O1 and above), warns that
// `free` meets a pointer from `operator new` (-Wmismatched-new-delete): a false positive for
// replaced allocation functions, silenced here alone.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void operator delete(void* block) noexcept {
  std::free(block);
}

void operator delete[](void* block) noexcept {
  std::free(block);
}

void operator delete(void* block, std::size_t /*size*/) noexcept {
  std::free(block);
}

void operator delete[](void* block, std::size_t /*size*/) noexcept {
  std::free(block);
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
